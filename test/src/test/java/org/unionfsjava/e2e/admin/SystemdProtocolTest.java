package org.unionfsjava.e2e.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Processes.Result;
import org.unionfsjava.e2e.support.TestUnion;

/**
 * Issue 17, what systemd sees of a server without systemd itself: the readiness datagrams of
 * {@code Type=notify} (a Python receiver binds the NOTIFY_SOCKET, as systemd does, and checks that
 * the union is mounted when READY=1 arrives), the mount and unmount logged at the default level,
 * and a background mount whose stderr is the JOURNAL_STREAM keeping its log there instead of in a
 * file. The real systemd boot is {@code vm} territory.
 */
@Timeout(120)
class SystemdProtocolTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void foregroundServer_sendsReadyWhenLive_andStoppingAfterUnmount() throws IOException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path lower = Files.createDirectories(dir.resolve("lower"));
    Path union = Files.createDirectories(dir.resolve("union"));
    Path socket = dir.resolve("notify.sock");
    String receiver = String.join("\n",
        "import os, socket, subprocess, sys, time",
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
        "s.bind(sys.argv[1]); s.settimeout(60)",
        "env = dict(os.environ, NOTIFY_SOCKET=sys.argv[1])",
        "server = subprocess.Popen(sys.argv[3:], env=env, stdout=subprocess.DEVNULL,",
        "                          stderr=open(sys.argv[2] + '.log', 'w'))",
        "ready = s.recv(4096).decode()",
        "live = any(l.split(' ')[4] == sys.argv[2] and ' - fuse.unionfs-java ' in l",
        "           for l in open('/proc/self/mountinfo'))",
        "print('pid=%d live=%s' % (server.pid, live))",
        "print(ready.replace('\\n', ' '))",
        "sys.stdout.flush()",
        "subprocess.run(['umount', sys.argv[2]], check=True)",
        "print(s.recv(4096).decode())",
        "print('exit=%d' % server.wait(60))");
    Path script = Files.writeString(dir.resolve("receiver.py"), receiver);
    try {
      Result result = Processes.run(TIMEOUT, List.of("python3", script.toString(),
          socket.toString(), union.toString(), TestUnion.launcher().toString(), "mount",
          "--foreground", "--upper", upper.toString(), "--lower", lower.toString(),
          union.toString()));
      assertEquals(0, result.exit(), result.stdout() + result.stderr());
      String[] lines = result.stdout().split("\n");
      String pid = lines[0].replaceAll("pid=(\\d+) .*", "$1");
      assertEquals("pid=" + pid + " live=True", lines[0], "READY=1 came before the union was live");
      assertEquals("READY=1 STATUS=serving " + union + " MAINPID=" + pid, lines[1]);
      assertEquals("STOPPING=1", lines[2]);
      assertEquals("exit=0", lines[3]);
      String log = Files.readString(Path.of(union + ".log"));
      assertTrue(log.contains("mounted " + union + " (upper " + upper), log);
      assertTrue(log.contains("unmounted " + union), log);
    } finally {
      Mounts.unmountQuietly(union);
    }
  }

  @Test
  void backgroundMount_withStderrTheJournalStream_logsThere() throws IOException {
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path lower = Files.createDirectories(dir.resolve("lower"));
    Path union = Files.createDirectories(dir.resolve("union"));
    Path journal = dir.resolve("journal-stream");
    Path defaultLog = Path.of("/run/unionfs-java",
        union.toString().substring(1).replace('/', '-') + ".log");
    Files.deleteIfExists(defaultLog);
    try {
      Result mounted = Processes.sh(TIMEOUT, "exec 2>>" + journal + "; export JOURNAL_STREAM="
          + "$(stat -c %d:%i " + journal + "); exec " + TestUnion.launcher() + " mount --upper "
          + upper + " --lower " + lower + " " + union);
      assertEquals(0, mounted.exit(), mounted.stdout() + Files.readString(journal));
      assertTrue(mounted.stdout().contains("log the journal)"), mounted.stdout());
      Processes.run(TIMEOUT, "umount", union.toString()).requireSuccess("umount");
      assertTrue(awaitContains(journal, "unmounted " + union), Files.readString(journal));
      assertTrue(Files.readString(journal).contains("mounted " + union + " (upper"));
      assertFalse(Files.exists(defaultLog), "a log file was written as well: " + defaultLog);
    } finally {
      Mounts.unmountQuietly(union);
    }
  }

  private static boolean awaitContains(Path file, String text) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(file).contains(text)) {
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
