package org.unionfsjava.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** INTERRUPT of a blocked request, FORGET under memory pressure, and the invalidation notifications. */
@Timeout(120)
class RequestLifecycleTest {
  @TempDir
  Path dir;

  private static void waitUntil(String what, long seconds, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void blockedLookup_callerKilled_handlerSeesInterruptAndCallerEnds() throws Exception {
    try (MountedMirror m = MountedMirror.mount(dir, SessionOptions.defaults())) {
      Process stat = new ProcessBuilder("stat", m.mountpoint.resolve(MirrorFilesystem.BLOCKING_NAME).toString())
          .redirectErrorStream(true).start();
      try {
        waitUntil("the lookup to block", 20, () -> m.fs.blocked.get() == 1);
        stat.destroy(); // SIGTERM: the kernel sends INTERRUPT for the request it waits on
        assertTrue(stat.waitFor(10, TimeUnit.SECONDS), "stat still waits for its lookup");
        waitUntil("the handler to see the interrupt", 10, () -> m.fs.interrupted.get() == 1);
        assertTrue(m.session.count(Opcode.INTERRUPT) >= 1);
      } finally {
        stat.destroyForcibly();
      }
      // the session goes on serving
      Files.writeString(m.source.resolve("after"), "still served");
      assertEquals("still served", Files.readString(m.mountpoint.resolve("after")));
    }
  }

  @Test
  void manyLookups_thenDropCaches_kernelForgetsTheNodes() throws Exception {
    try (MountedMirror m = MountedMirror.mount(dir, SessionOptions.defaults())) {
      int n = 3000;
      for (int i = 0; i < n; i++) {
        Files.createFile(m.source.resolve("f" + i));
      }
      for (int i = 0; i < n; i++) {
        assertTrue(Files.isRegularFile(m.mountpoint.resolve("f" + i)));
      }
      assertTrue(m.fs.liveNodes() >= n, m.fs.liveNodes() + " nodes");
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "2");
      waitUntil("the kernel to forget the nodes", 30, () -> m.fs.liveNodes() < 10);
      assertTrue(m.session.forgottenNodes() >= n, m.session.forgottenNodes() + " forgotten");
      assertTrue(m.session.count(Opcode.BATCH_FORGET) + m.session.count(Opcode.FORGET) > 0);
      // a forgotten node is looked up again
      assertTrue(Files.isRegularFile(m.mountpoint.resolve("f7")));
    }
  }

  @Test
  void notifications_dropWhatTheKernelCached() throws Exception {
    try (MountedMirror m = MountedMirror.mount(dir, SessionOptions.defaults())) {
      m.fs.timeout = TimeUnit.HOURS.toNanos(1);
      Path src = m.source.resolve("file");
      Files.writeString(src, "12345");
      Path seen = m.mountpoint.resolve("file");
      assertEquals(5, Files.size(seen));
      Files.writeString(src, "1234567890");
      assertEquals(5, Files.size(seen), "the kernel's cached attributes");
      long node = m.fs.nodeOf(src);
      assertEquals(0, m.session.notifier().invalInode(node, 0, 0));
      assertEquals(10, Files.size(seen));

      Files.delete(src);
      assertTrue(Files.exists(seen), "the kernel's cached entry");
      assertEquals(0, m.session.notifier().invalEntry(Protocol.ROOT_ID, "file", 0));
      assertFalse(Files.exists(seen));

      Files.writeString(m.source.resolve("other"), "x");
      assertTrue(Files.exists(m.mountpoint.resolve("other")));
      long other = m.fs.nodeOf(m.source.resolve("other"));
      Files.delete(m.source.resolve("other"));
      assertEquals(0, m.session.notifier().delete(Protocol.ROOT_ID, other, "other"));
      assertFalse(Files.exists(m.mountpoint.resolve("other")));
      assertEquals(Errno.ENOENT, m.session.notifier().invalEntry(Protocol.ROOT_ID, "never-looked-up", 0));
    }
  }
}
