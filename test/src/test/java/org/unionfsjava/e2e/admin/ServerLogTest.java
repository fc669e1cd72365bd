package org.unionfsjava.e2e.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Processes.Result;
import org.unionfsjava.e2e.support.TestUnion;

/**
 * Issue 17, the log of a background server outside systemd: root's default log under
 * /run/unionfs-java holds the mount and the unmount at the default level (no {@code -v}), and a
 * verbose server's log is rolled by size (FILE.1, FILE.2, FILE.3) while the union is in use, so a
 * long-lived union cannot fill /run. The size limit is lowered through the documented JVM
 * property ({@code UNIONFS_JAVA_OPTS=-Dunionfs.log.size=...}) so that a few thousand requests
 * pass it.
 */
@Timeout(180)
class ServerLogTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void backgroundMount_defaultLog_holdsTheMountAndTheUnmountWithoutVerbose() throws IOException {
    assumeTrue("root".equals(System.getProperty("user.name")), "root's default log is /run's");
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path lower = Files.createDirectories(dir.resolve("lower"));
    Path union = Files.createDirectories(dir.resolve("union"));
    Path log = Path.of("/run/unionfs-java", union.toString().substring(1).replace('/', '-') + ".log");
    Files.deleteIfExists(log);
    try {
      Result mounted = Processes.run(TIMEOUT, TestUnion.launcher().toString(), "mount", "--upper",
          upper.toString(), "--lower", lower.toString(), union.toString());
      assertEquals(0, mounted.exit(), mounted.stdout() + mounted.stderr());
      assertTrue(mounted.stdout().contains("log " + log + ")"), mounted.stdout());
      Processes.run(TIMEOUT, "umount", union.toString()).requireSuccess("umount");
      assertTrue(awaitContains(log, "unmounted " + union), Files.readString(log));
      List<String> lines = Files.readAllLines(log);
      assertTrue(lines.stream().anyMatch(l -> l.matches(".* INFO  \\[.*\\] lifecycle: mounted "
          + java.util.regex.Pattern.quote(union.toString()) + " \\(upper .*, pid \\d+\\)")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.matches(".* INFO  \\[.*\\] lifecycle: unmounted "
          + java.util.regex.Pattern.quote(union.toString()))), lines.toString());
      assertTrue(lines.stream().noneMatch(l -> l.contains(" DEBUG ")), "DEBUG without -v: " + lines);
    } finally {
      Mounts.unmountQuietly(union);
      Files.deleteIfExists(log);
    }
  }

  @Test
  void verboseServer_logRollsPastItsSize_keepingThreeOldFiles() throws IOException {
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path lower = Files.createDirectories(dir.resolve("lower"));
    Path union = Files.createDirectories(dir.resolve("union"));
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path log = logs.resolve("union.log");
    try {
      Result mounted = Processes.sh(TIMEOUT, "UNIONFS_JAVA_OPTS=-Dunionfs.log.size=32KB exec "
          + TestUnion.launcher() + " mount -vv --log-file " + log + " --upper " + upper
          + " --lower " + lower + " " + union);
      assertEquals(0, mounted.exit(), mounted.stdout() + mounted.stderr());
      // a few thousand requests, each logged at DEBUG
      Processes.sh(TIMEOUT, "cd " + union + " && for i in $(seq 1 400); do echo $i > f$i;"
          + " cat f$i >/dev/null; done; ls -l >/dev/null").requireSuccess("requests");
      Processes.run(TIMEOUT, "umount", union.toString()).requireSuccess("umount");
      assertTrue(awaitContains(log, "unmounted " + union), Files.readString(log));
      List<String> names = new ArrayList<>();
      try (Stream<Path> files = Files.list(logs)) {
        files.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
      }
      assertEquals(List.of("union.log", "union.log.1", "union.log.2", "union.log.3"), names,
          "the log directory after " + Files.size(log) + " bytes in the log");
      for (String name : names) {
        long size = Files.size(logs.resolve(name));
        assertTrue(size < 48 * 1024, name + " is " + size + " bytes, the limit 32 KB");
      }
      assertTrue(Files.readString(logs.resolve("union.log.3")).contains(" DEBUG "),
          "the rolled files hold the server's DEBUG lines");
    } finally {
      Mounts.unmountQuietly(union);
    }
  }

  /** As systemctl stop ends a template unit's server: SIGTERM; the unmount is logged all the same. */
  @Test
  void foregroundServer_stoppedBySigterm_logsTheUnmount() throws Exception {
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path lower = Files.createDirectories(dir.resolve("lower"));
    Path union = Files.createDirectories(dir.resolve("union"));
    Path log = dir.resolve("stderr.log");
    Process server = new ProcessBuilder(TestUnion.launcher().toString(), "mount", "--foreground",
        "--upper", upper.toString(), "--lower", lower.toString(), union.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(log.toFile()).start();
    try {
      assertTrue(Mounts.awaitMounted(union, "fuse.unionfs-java", Duration.ofSeconds(60),
          server.toHandle()), "not mounted: " + Files.readString(log));
      server.destroy(); // SIGTERM to its PID
      assertTrue(server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "still running");
      assertEquals(null, Mounts.fsTypeAt(union), "still mounted after SIGTERM");
      String text = Files.readString(log);
      assertTrue(text.contains("lifecycle: mounted " + union), text);
      assertTrue(text.contains("lifecycle: unmounted " + union), text);
      assertEquals(1, text.split("lifecycle: unmounted ", -1).length - 1, "logged twice: " + text);
    } finally {
      server.destroyForcibly();
      Mounts.unmountQuietly(union);
    }
  }

  private static boolean awaitContains(Path file, String text) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readString(file).contains(text)) {
        return true;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
