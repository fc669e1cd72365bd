package org.unionfsjava.e2e.nfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.nfs.support.GaneshaServer;
import org.unionfsjava.e2e.nfs.support.Timings;
import org.unionfsjava.e2e.support.Processes;

/**
 * The NFS server the VM tests will mount: nfs-ganesha exporting a base directory read-only in a
 * private network namespace, checked from inside that namespace with libnfs's nfs-ls and
 * nfs-cat over NFSv3 and NFSv4, restarted, and stopped by PID. Start, restart and stop times are
 * published through the {@link TestReporter}.
 */
@Timeout(120)
@DisplayName("nfs: ganesha serves a read-only base in a private network namespace (v3 and v4), survives a restart")
class GaneshaServerTest {
  @TempDir Path root;

  @BeforeAll
  static void serverAvailable() {
    assumeTrue(GaneshaServer.available(), "needs root, nfs-ganesha(-vfs), rpcbind, libnfs-utils, util-linux");
  }

  private static String netns(long pid) throws Exception {
    return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
  }

  @Test
  @DisplayName("start, list and read over v3 and v4, refuse writes, see a server-side change, restart, read again, stop every process")
  void ganesha_startListReadRestartStop_allOverV3AndV4(TestReporter reporter) throws Exception {
    Path base = Files.createDirectories(root.resolve("base"));
    Files.writeString(base.resolve("hello.txt"), "hello over nfs\n", StandardCharsets.UTF_8);
    Files.createDirectories(base.resolve("etc/demo"));
    Files.writeString(base.resolve("etc/demo/app.conf"), "key=value\n", StandardCharsets.UTF_8);
    List<ProcessHandle> started;

    long t0 = System.nanoTime();
    try (GaneshaServer server = GaneshaServer.start(root.resolve("state"), GaneshaServer.Export.readOnly(base))) {
      Timings.publish(reporter, "start ms (namespace, rpcbind, ganesha)", Long.toString((System.nanoTime() - t0) / 1_000_000));
      Timings.publish(reporter, "ganesha ready ms", Long.toString(server.lastStartDuration().toMillis()));
      started = server.processes();
      assertEquals(3, started.size());

      // the server lives in its own network namespace, never in the test's
      String mine = netns(ProcessHandle.current().pid());
      assertNotEquals(mine, netns(server.namespacePid()), "the namespace holder is not in a private network namespace");
      assertEquals(netns(server.namespacePid()), netns(server.ganeshaPid()));
      assertEquals(netns(server.namespacePid()), netns(server.rpcbindPid()));
      String links = server.exec(Duration.ofSeconds(10), "ip", "-o", "addr", "show", "dev", "lo")
          .requireSuccess("ip addr").stdout();
      assertTrue(links.contains("127.0.0.1") && links.contains("fd7e::1"), links);
      String others = server.exec(Duration.ofSeconds(10), "ip", "-o", "link", "show").stdout();
      assertEquals(1, others.strip().split("\n").length, "only lo exists in the namespace: " + others);

      for (int v : new int[] {3, 4}) {
        assertEquals(List.of("etc", "hello.txt"), server.list("", v), "root listing over v" + v);
        assertEquals(List.of("app.conf"), server.list("etc/demo", v));
        assertEquals("hello over nfs\n", server.cat("hello.txt", v));
        assertEquals("key=value\n", server.cat("etc/demo/app.conf", v));
      }

      // read-only: a create over either version fails and nothing appears on the server
      Path local = Files.writeString(root.resolve("local.txt"), "x");
      for (int v : new int[] {3, 4}) {
        Processes.Result cp = server.exec(Duration.ofSeconds(20), "nfs-cp", local.toString(), server.url("new.txt", v));
        assertNotEquals(0, cp.exit(), "nfs-cp over v" + v + " must fail on a read-only export");
        assertTrue((cp.stdout() + cp.stderr()).contains("ROFS"), "expected a read-only error: " + cp);
      }
      assertFalse(Files.exists(base.resolve("new.txt")));

      // a change made on the server shows to a client without a cache of its own (libnfs) once
      // ganesha's attribute cache expired (Attr_Expiration_Time = 1 s); until then a read gives
      // the new bytes cut to the old size, which is what an NFS lower may briefly show the union
      Files.writeString(base.resolve("hello.txt"), "changed on the server\n", StandardCharsets.UTF_8);
      long c0 = System.nanoTime();
      String seen = server.cat("hello.txt", 3);
      while (!seen.equals("changed on the server\n") && System.nanoTime() - c0 < 5_000_000_000L) {
        Thread.sleep(50);
        seen = server.cat("hello.txt", 3);
      }
      long changeMs = (System.nanoTime() - c0) / 1_000_000;
      Timings.publish(reporter, "server-side change visible over v3 after ms", Long.toString(changeMs));
      assertEquals("changed on the server\n", seen);
      assertTrue(changeMs <= 3000, "Attr_Expiration_Time = 1 should bound the delay; took " + changeMs + " ms");

      long ganeshaBefore = server.ganeshaPid();
      long rpcbindBefore = server.rpcbindPid();
      long r0 = System.nanoTime();
      server.restart();
      long restartMs = (System.nanoTime() - r0) / 1_000_000;
      Timings.publish(reporter, "restart ms (stop + start until registered)", Long.toString(restartMs));
      assertNotEquals(ganeshaBefore, server.ganeshaPid(), "a new ganesha process");
      assertFalse(ProcessHandle.of(ganeshaBefore).map(ProcessHandle::isAlive).orElse(false), "the old ganesha ended");
      assertEquals(rpcbindBefore, server.rpcbindPid(), "rpcbind keeps running across a ganesha restart");
      for (int v : new int[] {3, 4}) {
        assertEquals("changed on the server\n", server.cat("hello.txt", v), "read after restart over v" + v);
        assertEquals(List.of("etc", "hello.txt"), server.list("", v));
      }
      assertTrue(restartMs < 15_000, "restart took " + restartMs + " ms (Graceless: no grace period expected)");

      long s0 = System.nanoTime();
      server.close();
      Timings.publish(reporter, "stop ms", Long.toString((System.nanoTime() - s0) / 1_000_000));
    }
    for (ProcessHandle p : started) {
      assertFalse(p.isAlive(), "process " + p.pid() + " still runs after close");
    }
  }

  @Test
  @DisplayName("editExport: switching the export to read-write (and back) takes effect after the restart it does")
  void ganesha_editExport_changesAccessType(TestReporter reporter) throws Exception {
    Path base = Files.createDirectories(root.resolve("base"));
    Files.writeString(base.resolve("f"), "one", StandardCharsets.UTF_8);
    Path local = Files.writeString(root.resolve("local.txt"), "written by a client");
    try (GaneshaServer server = GaneshaServer.start(root.resolve("state"), GaneshaServer.Export.readOnly(base))) {
      assertNotEquals(0, server.exec(Duration.ofSeconds(20), "nfs-cp", local.toString(), server.url("w.txt", 4)).exit());

      server.editExport(e -> e.withAccessType("RW"));
      Timings.publish(reporter, "restart for editExport ms", Long.toString(server.lastStartDuration().toMillis()));
      server.exec(Duration.ofSeconds(20), "nfs-cp", local.toString(), server.url("w.txt", 4)).requireSuccess("nfs-cp to RW");
      assertEquals("written by a client", Files.readString(base.resolve("w.txt")));

      server.editExport(e -> e.withAccessType("RO"));
      assertNotEquals(0, server.exec(Duration.ofSeconds(20), "nfs-cp", local.toString(), server.url("w2.txt", 3)).exit());
      assertFalse(Files.exists(base.resolve("w2.txt")));
      assertEquals("one", server.cat("f", 3));
    }
  }
}
