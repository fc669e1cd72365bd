package org.unionfsjava.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ordinary user (nobody) mounts through fusermount3, the descriptor coming back over the
 * _FUSE_COMMFD socket; passthrough is refused to it (no CAP_SYS_ADMIN) and its reads are served
 * by the daemon. Root, without allow_other, is kept out.
 */
@Timeout(120)
class UserMountTest {
  private static final String USER = "nobody";

  @TempDir
  Path tmp;

  private static Path shared(Path dir) throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** The class path made readable by nobody: jars copied to a directory of the test's. */
  private String childClassPath(Path jars) throws Exception {
    List<String> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(e);
      if (e.endsWith(".jar") && Files.isRegularFile(Path.of(e))) {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(e)) { // surefire's manifest-only jar
          java.util.jar.Manifest mf = j.getManifest();
          String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
          for (String u : cp == null ? new String[0] : cp.trim().split(" +")) {
            entries.add(Path.of(java.net.URI.create(u)).toString());
          }
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      Path p = Path.of(e);
      if (Files.isRegularFile(p) && e.endsWith(".jar")) {
        Path copy = jars.resolve(p.getFileName());
        Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        out.add(copy.toString());
      } else if (Files.isDirectory(p)) {
        out.add(e);
      }
    }
    return String.join(File.pathSeparator, out);
  }

  private static String runAs(String... cmd) throws Exception {
    List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    full.addAll(List.of(cmd));
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), full + ": " + out);
    return out;
  }

  @Test
  void ordinaryUser_mountsThroughFusermount_servesWithoutPassthrough() throws Exception {
    shared(tmp);
    Path dir = shared(Files.createDirectories(tmp.resolve("shared")));
    Path jars = shared(Files.createDirectories(dir.resolve("jars")));
    Path source = Files.createDirectories(dir.resolve("source"));
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    Files.writeString(source.resolve("file"), "served to nobody");
    for (Path p : List.of(source, mnt, source.resolve("file"))) {
      Files.setOwner(p, users.lookupPrincipalByName(USER));
    }
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", childClassPath(jars),
        UserMirrorMain.class.getName(), source.toString(), mnt.toString()));
    Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String ready = out.readLine();
      assertEquals("READY byFusermount=true passthrough=true", ready);
      String mounts = Files.readString(Path.of("/proc/self/mounts"));
      assertTrue(mounts.contains("usermirror " + mnt + " fuse.fuse-transport-test"), mounts);
      String line = mounts.lines().filter(l -> l.contains(mnt.toString())).findFirst().orElseThrow();
      assertTrue(line.contains("user_id=65534"), line);

      assertEquals("served to nobody", runAs("cat", mnt.resolve("file").toString()));
      runAs("sh", "-c", "echo written by nobody > " + mnt.resolve("new"));
      assertEquals("written by nobody\n", Files.readString(source.resolve("new")));
      // no allow_other: root is kept out
      Process rootCat = new ProcessBuilder("cat", mnt.resolve("file").toString()).redirectErrorStream(true).start();
      String denied = new String(rootCat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(rootCat.waitFor(10, TimeUnit.SECONDS));
      assertNotEquals(0, rootCat.exitValue(), denied);

      child.getOutputStream().close();
      String done = out.readLine();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the user's session did not end");
      assertEquals(0, child.exitValue());
      assertTrue(done.startsWith("DONE "), done);
      assertTrue(done.contains(" passthroughOpens=0 "), done);
      assertTrue(done.contains(" errno=" + Errno.EPERM + " "), "BACKING_OPEN refused with EPERM: " + done);
      assertTrue(!done.contains("reads=0 "), "reads served by the daemon: " + done);
      assertTrue(done.contains("listed=false"), done);
    } finally {
      child.destroyForcibly();
      if (Files.readString(Path.of("/proc/self/mounts")).contains(mnt.toString())) {
        new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
