package org.unionfsjava.e2e.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Processes.Result;

/**
 * Issue 17: an ordinary user, from mount to umount. A user made for the test (removed after it)
 * runs the packaged CLI with runuser: the mount goes through fusermount3, the new upper takes the
 * aufs format (no device nodes or trusted xattrs without root), the server runs as the user and
 * logs under the user's $XDG_RUNTIME_DIR, and umount ends it. Without access to /dev/fuse (a
 * private mount namespace binds a mode-0600 node over it) the mount is refused with one line that
 * says why, and nothing is changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class OrdinaryUserTest {

  private static final String USER = "unionfs-e2e-user";
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final Path CLI = Path.of(System.getProperty("unionfs.cli.dir", "../cli/target"));
  private static final Path REPO = Path.of(System.getProperty("unionfs.repo.dir", ".."));

  private Path home;
  private Path launcher;
  private Path work;
  private Path lower;
  private Path upper;
  private Path union;
  private Path runtime;

  @BeforeAll
  void createUserAndCopyTheCli() throws IOException {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root (useradd, runuser)");
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/useradd")), "needs useradd (passwd)");
    Processes.run(TIMEOUT, "userdel", "--remove", USER); // a leftover of an aborted run
    Processes.run(TIMEOUT, "useradd", "--create-home", "--user-group", "--shell", "/bin/bash",
        USER).requireSuccess("useradd " + USER);
    home = Path.of(Processes.run(TIMEOUT, "bash", "-c", "getent passwd " + USER + " | cut -d: -f6")
        .requireSuccess("getent").stdout().trim());
    // the launcher and jars where the user can read them, whatever the clone's directory allows
    Path tree = Files.createDirectories(home.resolve("unionfs-java"));
    Processes.run(TIMEOUT, "mkdir", "-p", tree + "/bin", tree + "/cli/target").requireSuccess("mkdir");
    Processes.run(TIMEOUT, "cp", REPO.resolve("bin/unionfs-java").toString(),
        REPO.resolve("bin/jvm-memory-options").toString(), tree + "/bin/").requireSuccess("cp bin");
    Processes.run(TIMEOUT, "cp", "-r", CLI.resolve("unionfs-java-cli.jar").toString(),
        CLI.resolve("lib").toString(), tree + "/cli/target/").requireSuccess("cp jars");
    Processes.run(TIMEOUT, "chown", "-R", USER + ":", home.toString()).requireSuccess("chown");
    launcher = tree.resolve("bin/unionfs-java");
  }

  @AfterAll
  void removeUser() {
    if (home != null) {
      Processes.run(TIMEOUT, "userdel", "--remove", USER);
    }
  }

  @BeforeEach
  void branches() throws IOException {
    work = Files.createTempDirectory(home, "session");
    lower = Files.createDirectories(work.resolve("lower/etc"));
    Files.writeString(lower.resolve("motd"), "from the lower\n");
    Files.writeString(lower.resolve("old.conf"), "old\n");
    upper = Files.createDirectories(work.resolve("upper"));
    union = Files.createDirectories(work.resolve("union"));
    runtime = Files.createDirectories(work.resolve("runtime"));
    Processes.run(TIMEOUT, "chmod", "-R", "go-w", work.toString()).requireSuccess("chmod");
    Processes.run(TIMEOUT, "chmod", "700", runtime.toString()).requireSuccess("chmod");
    Processes.run(TIMEOUT, "chown", "-R", USER + ":", work.toString()).requireSuccess("chown");
  }

  @AfterEach
  void unmountAndClean() throws IOException {
    Mounts.unmountQuietly(union);
    try (Stream<Path> paths = Files.walk(work)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void mountToUmount_throughFusermount3_inTheAufsFormat_loggingInTheRuntimeDirectory()
      throws IOException {
    Result mounted = asUser("XDG_RUNTIME_DIR=" + runtime, launcher.toString(), "mount",
        "--upper", upper.toString(), "--lower", work.resolve("lower").toString(), union.toString());
    assertEquals(0, mounted.exit(), mounted.stderr());
    Matcher line = Pattern.compile("\\(pid (\\d+), log ([^)]+)\\)").matcher(mounted.stdout());
    assertTrue(line.find(), mounted.stdout());
    Path log = Path.of(line.group(2));
    assertEquals(runtime.resolve("unionfs-java"), log.getParent(), mounted.stdout());
    assertTrue(Files.isRegularFile(log), "no log at " + log);
    String status = Files.readString(Path.of("/proc", line.group(1), "status"));
    assertTrue(status.matches("(?s).*\\nUid:\\s+" + uid() + "\\s.*"), "the server is not the user's");
    assertEquals("fuse.unionfs-java", Mounts.fsTypeAt(union));
    assertTrue(mountOptions(union).contains("user_id=" + uid()), mountOptions(union));

    Result used = asUser("", "bash", "-c", "cd " + union + " && cat etc/motd && echo mine > new"
        + " && rm etc/old.conf && ls etc");
    assertEquals(0, used.exit(), used.stderr());
    assertEquals("from the lower\nmotd\n", used.stdout());
    assertEquals("mine\n", Files.readString(upper.resolve("new")));
    assertTrue(Files.isRegularFile(upper.resolve("etc/.wh.old.conf")),
        "the deletion left no aufs whiteout in the upper");
    assertEquals("aufs", Files.readString(upper.resolve(".unionfs-java/format")).trim());

    Result unmounted = asUser("", launcher.toString(), "umount", union.toString());
    assertEquals(0, unmounted.exit(), unmounted.stderr());
    assertEquals(null, Mounts.fsTypeAt(union));
    assertEquals("old\n", Files.readString(lower.resolve("old.conf")), "the lower was changed");
  }

  @Test
  void mount_withoutAccessToDevFuse_saysWhyAndChangesNothing() throws IOException {
    Path device = work.resolve("fuse-0600");
    Processes.run(TIMEOUT, "mknod", "-m", "600", device.toString(), "c", "10", "229")
        .requireSuccess("mknod");
    String asUser = "runuser -u " + USER + " -- env XDG_RUNTIME_DIR=" + runtime + " " + launcher
        + " mount --upper " + upper + " --lower " + work.resolve("lower") + " " + union;
    Result refused = Processes.run(TIMEOUT, "unshare", "--mount", "--propagation", "private",
        "bash", "-c", "mount --bind " + device + " /dev/fuse && " + asUser);
    assertEquals(4, refused.exit(), refused.stdout() + refused.stderr());
    assertEquals("unionfs-java: not permitted to open the FUSE device (crw------- root:root): a"
        + " user who is not root needs read and write access to it (Debian's default is"
        + " crw-rw-rw-), or run as root: /dev/fuse\n", refused.stderr());
    try (Stream<Path> left = Files.list(upper)) {
      assertEquals(List.of(), left.toList(), "the refused mount changed the upper");
    }
    assertFalse(Files.exists(runtime.resolve("unionfs-java")), "the refused mount made a log");
  }

  private String uid() {
    return Processes.run(TIMEOUT, "id", "-u", USER).requireSuccess("id").stdout().trim();
  }

  private static String mountOptions(Path mountPoint) throws IOException {
    for (String entry : new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8).lines().toList()) {
      String[] fields = entry.split(" ");
      if (fields.length > 4 && fields[4].equals(mountPoint.toString())) {
        return entry;
      }
    }
    return "";
  }

  /** Runs a command as the test user; {@code env} is one NAME=VALUE or empty. */
  private Result asUser(String env, String... command) {
    List<String> words = new ArrayList<>(List.of("runuser", "-u", USER, "--", "env"));
    if (!env.isEmpty()) {
      words.add(env);
    }
    words.addAll(List.of(command));
    return Processes.run(TIMEOUT, words);
  }
}
