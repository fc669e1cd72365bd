package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background start and its readiness wait, with a shell script standing in for the server:
 * it "mounts" by adding a line to a fake mount table, or fails the way a server does.
 */
class BackgroundLauncherTest {

  @TempDir Path temp;
  private Path mountInfo;
  private Path mountPoint;
  private Path logFile;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws IOException {
    mountInfo = temp.resolve("mountinfo");
    Files.writeString(mountInfo, "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
    mountPoint = Files.createDirectory(temp.resolve("mnt"));
    logFile = temp.resolve("logs/sub/mnt.log");
  }

  private int launch(String script, Duration timeout) throws Exception {
    return new BackgroundLauncher(mountInfo, timeout).launch(List.of("sh", "-c", script),
        mountPoint, logFile, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void launch_serverMounts_printsOneLineAndReturns0() throws Exception {
    String script = "echo serving; echo '40 22 0:40 / " + mountPoint
        + " rw - fuse.unionfs-java unionfs-java rw' >> " + mountInfo + "; exec sleep 30";
    assertEquals(0, launch(script, Duration.ofSeconds(20)));
    Matcher line = Pattern.compile("mounted " + Pattern.quote(mountPoint.toString())
        + " \\(pid (\\d+), log " + Pattern.quote(logFile.toString()) + "\\)\n")
        .matcher(out.toString());
    assertTrue(line.matches(), out.toString());
    long pid = Long.parseLong(line.group(1));
    Optional<ProcessHandle> server = ProcessHandle.of(pid);
    assertTrue(server.isPresent() && server.get().isAlive(), "the server keeps running");
    server.get().destroy();
    assertEquals("", err.toString());
    assertTrue(Files.readString(logFile).contains("serving"), "output goes to the log");
  }

  @Test
  void launch_serverRunsInItsOwnSession() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "setsid installed");
    Path sessionFile = temp.resolve("session");
    String script = "cut -d' ' -f6 /proc/$$/stat > " + sessionFile + "; echo '40 22 0:40 / "
        + mountPoint + " rw - fuse.unionfs-java unionfs-java rw' >> " + mountInfo
        + "; exec sleep 30";
    assertEquals(0, launch(script, Duration.ofSeconds(20)));
    long pid = Long.parseLong(out.toString().replaceAll("(?s).*\\(pid (\\d+),.*", "$1"));
    try {
      assertEquals(Long.toString(pid), Files.readString(sessionFile).strip(), "session leader");
    } finally {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }
  }

  @Test
  void launch_serverFailsFirst_printsItsLastErrorLineAndExitCode() throws Exception {
    String script = "echo 'some log line' >&2; echo 'unionfs-java: first: /x' >&2;"
        + " echo 'unionfs-java: upper does not exist: /srv/u' >&2; echo trailing; exit 3";
    assertEquals(3, launch(script, Duration.ofSeconds(20)));
    assertEquals("unionfs-java: upper does not exist: /srv/u\n", err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void launch_earlierRunsInTheLog_areNotReported() throws Exception {
    Files.createDirectories(logFile.getParent());
    Files.writeString(logFile, "unionfs-java: an old failure: /old\n");
    assertEquals(6, launch("echo 'FUSE said no'; exit 6", Duration.ofSeconds(20)));
    assertEquals("FUSE said no\n", err.toString());
  }

  @Test
  void launch_serverPrintsNothing_pointsToTheLog() throws Exception {
    assertEquals(7, launch("exit 7", Duration.ofSeconds(20)));
    assertTrue(err.toString().startsWith("unionfs-java: the server exited with code 7"),
        err.toString());
    assertTrue(err.toString().contains(logFile.toString()), err.toString());
  }

  @Test
  void launch_mountNeverAppears_stopsTheServerAndExits6() throws Exception {
    Path pidFile = temp.resolve("pid");
    CommandFailure failure = assertThrows(CommandFailure.class,
        () -> launch("echo $$ > " + pidFile + "; exec sleep 30", Duration.ofMillis(700)));
    assertEquals(ExitStatus.MOUNT_FAILED, failure.status());
    assertTrue(failure.getMessage().startsWith("the union did not appear within"),
        failure.getMessage());
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "server stopped");
  }

  @Test
  void launch_logDirectoryCannotBeCreated_exits4() throws IOException {
    Path blocker = Files.createFile(temp.resolve("blocker"));
    logFile = blocker.resolve("mnt.log");
    CommandFailure failure = assertThrows(CommandFailure.class,
        () -> launch("exit 0", Duration.ofSeconds(5)));
    assertEquals(ExitStatus.ENVIRONMENT, failure.status());
    assertTrue(failure.getMessage().endsWith(": " + logFile), failure.getMessage());
  }

  @Test
  void defaultLogFile_isNamedAfterTheMountPoint() {
    Path dir = Path.of("/run/unionfs-java");
    assertEquals(dir.resolve("var-tmp-unionfs-java-demo-union.log"),
        BackgroundLauncher.defaultLogFile(dir, Path.of("/var/tmp/unionfs-java-demo/union")));
    assertEquals("mnt-my_union-caf_", BackgroundLauncher.escapeMountPoint(
        Path.of("/mnt/my union/caf\u00e9/")));
    assertEquals("root", BackgroundLauncher.escapeMountPoint(Path.of("/")));
  }

  @Test
  void lastErrorLine_prefersTheCliReport() {
    assertEquals("unionfs-java: b", BackgroundLauncher.lastErrorLine(
        "x\nunionfs-java: a\nunionfs-java: b\nat Foo.bar\n"));
    assertEquals("at Foo.bar", BackgroundLauncher.lastErrorLine("x\nat Foo.bar\n\n"));
    assertEquals(null, BackgroundLauncher.lastErrorLine("\n"));
  }

  @Test
  void lastErrorLine_carriesTheMountHelpersReason() {
    assertEquals("unionfs-java: mount failed: fusermount3: option allow_other only allowed if"
        + " 'user_allow_other' is set in /etc/fuse.conf (EIO): /m",
        BackgroundLauncher.lastErrorLine("starting\nfusermount3: option allow_other only allowed"
            + " if 'user_allow_other' is set in /etc/fuse.conf\n\tat x\nunionfs-java: mount failed:"
            + " libfuse 3 could not mount or serve /m (status 3) (EIO): /m\n"));
    assertEquals("unionfs-java: other (EIO): /m", BackgroundLauncher.lastErrorLine(
        "fusermount3: old\nunionfs-java: other (EIO): /m\n"));
  }
}
