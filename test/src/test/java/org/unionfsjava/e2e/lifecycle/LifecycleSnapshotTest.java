package org.unionfsjava.e2e.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 16, item 4 offline: snapshot, rollback, reset and squash on uppers real mounts wrote, and
 * real mounts of the result. A snapshot keeps what the union shows (also a renamed directory, a
 * metadata-only copy and a copied-up hard link, which a layer can hold only settled); a rollback
 * shows the old tree again; a squash keeps the merged view and drops whiteouts that hide only the
 * merged layer's names. Killed (SIGKILL, at the crash points and at random moments) the union
 * shows the old state or the new one, and check is clean after the next run. A mounted upper,
 * also a dead mount's, is refused with exit 8.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
@DisplayName("issue 16: snapshot, rollback, reset, squash on real uppers")
class LifecycleSnapshotTest {
  private static final Duration T = Duration.ofSeconds(120);

  private static Processes.Result tool(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(TestUnion.launcher().toString());
    cmd.addAll(List.of(args));
    return Processes.run(T, cmd);
  }

  private static Processes.Result toolCrashingAt(String point, String... args) {
    List<String> cmd = new ArrayList<>(List.of("env", "UNIONFS_JAVA_OPTS=-Dunionfs.crash-at=" + point,
        TestUnion.launcher().toString()));
    cmd.addAll(List.of(args));
    return Processes.run(T, cmd);
  }

  private static String[] with(String[] head, String... tail) {
    List<String> a = new ArrayList<>(List.of(head));
    a.addAll(List.of(tail));
    return a.toArray(new String[0]);
  }

  private static String[] branches(RelUnion u) {
    return new String[] {u.upper().toString(), "--lower", u.lower(1).toString()};
  }

  /** The lower's files, then a first round of changes through a mount; returns the view. */
  private static Map<String, String> firstChanges(RelUnion u) throws Exception {
    Path l = u.lower(1);
    file(l.resolve("d/a"), "a");
    file(l.resolve("d/b"), "b");
    file(l.resolve("d/sub/s"), "s");
    file(l.resolve("keep/k"), "k");
    file(l.resolve("h1"), "h");
    Files.createLink(l.resolve("h2"), l.resolve("h1"));
    file(l.resolve("meta"), "meta");
    file(l.resolve("gone"), "gone");
    u.mount();
    Path m = u.mnt();
    Files.delete(m.resolve("d/a"));
    Files.writeString(m.resolve("d/b"), "more", java.nio.file.StandardOpenOption.APPEND);
    Files.move(m.resolve("d"), m.resolve("e")); // a redirect (overlay) or its marker (aufs)
    Processes.run(T, "rm", "-rf", m.resolve("keep").toString()).requireSuccess("rm -rf");
    Files.createDirectory(m.resolve("keep"));
    file(m.resolve("keep/x"), "x");
    Files.writeString(m.resolve("h1"), "hh", java.nio.file.StandardOpenOption.APPEND); // indexed
    Fixture.mode(m.resolve("meta"), 0600); // a metadata-only copy
    Files.delete(m.resolve("gone"));
    file(m.resolve("n1"), "new one");
    file(m.resolve("nd/q"), "q");
    Map<String, String> shown = TreeSnapshot.of(m, false);
    u.unmount();
    return shown;
  }

  /** A second round over the first: names of the first layer and of the lower deleted, more made. */
  private static Map<String, String> secondChanges(RelUnion u) throws Exception {
    u.mount();
    Path m = u.mnt();
    Files.delete(m.resolve("n1")); // only the first layer has it
    Files.delete(m.resolve("h2")); // the lower has it
    Processes.run(T, "rm", "-rf", m.resolve("nd").toString()).requireSuccess("rm -rf nd");
    Processes.run(T, "rm", "-rf", m.resolve("keep").toString()).requireSuccess("rm -rf keep");
    file(m.resolve("keep/y"), "y"); // opaque over the first layer's opaque keep
    file(m.resolve("e/new"), "in the renamed dir");
    file(m.resolve("n2"), "new two");
    Map<String, String> shown = TreeSnapshot.of(m, false);
    u.unmount();
    return shown;
  }

  private static Map<String, String> mounted(RelUnion u) {
    u.mount();
    try {
      return TreeSnapshot.of(u.mnt(), false);
    } finally {
      u.unmount();
    }
  }

  private static void assertClean(RelUnion u) {
    Processes.Result check = tool(with(new String[] {"check"}, branches(u)));
    assertEquals(0, check.exit(), "check is clean:\n" + check.stdout() + check.stderr());
  }

  private static List<String> userNames(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".unionfs-java")).sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("snapshot, change, snapshot: each mount shows the same tree; rollback shows the old one; reset empties")
  void snapshot_thenRollback_mountsShowEachState(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Map<String, String> first = firstChanges(u);
      Map<String, String> lowerBefore = TreeSnapshot.of(u.lower(1), true);
      Processes.Result s1 = tool(with(new String[] {"snapshot", "--name", "first"}, branches(u)));
      assertEquals(0, s1.exit(), s1.toString());
      assertTrue(s1.stdout().startsWith("snapshot 1 (first) of " + u.upper()), s1.stdout());
      assertEquals(List.of(), userNames(u.upper()), "a fresh upper");
      assertEquals(first, mounted(u), "the mount shows the snapshot's tree");
      assertClean(u);

      Map<String, String> second = secondChanges(u);
      assertEquals(0, tool(with(new String[] {"snapshot", "--name", "second"}, branches(u))).exit());
      assertEquals(second, mounted(u), "after the second snapshot");
      String list = tool("snapshot", "--list", u.upper().toString()).requireSuccess("list").stdout();
      assertTrue(list.matches("(?s).*\n  1  \\S+ \\S+ +\\d+ +\\d+  first\n  2  \\S+ \\S+ +\\d+ +\\d+  second\n"), list);

      u.mount();
      file(u.mnt().resolve("third"), "3");
      u.unmount();
      assertEquals(0, tool("reset", u.upper().toString()).exit());
      assertEquals(second, mounted(u), "reset drops the upper's changes only");

      u.mount();
      file(u.mnt().resolve("third"), "3");
      u.unmount();
      Processes.Result rb = tool("rollback", u.upper().toString(), "1");
      assertEquals(0, rb.exit(), rb.toString());
      assertEquals(first, mounted(u), "rollback 1 shows the first snapshot's tree");
      assertEquals(List.of("1"), userNames(SnapshotLayout.layersOf(u)), "layer 2 is gone");
      assertClean(u);
      assertEquals(0, tool("rollback", u.upper().toString(), "0").exit());
      assertEquals(TreeSnapshot.of(u.lower(1), false), mounted(u), "rollback 0: the lower alone");
      assertEquals(lowerBefore, TreeSnapshot.of(u.lower(1), true), "the lower never changed");
    }
  }

  /** Where the layers lie (the layout the tools and the mount share). */
  static final class SnapshotLayout {
    static Path layersOf(RelUnion u) {
      return u.upper().resolveSibling(u.upper().getFileName() + ".layers");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("squash 1 2 keeps the merged view; a whiteout of a first-layer name goes, one of a lower name stays")
  void squash_keepsTheMergedView(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      firstChanges(u);
      tool(with(new String[] {"snapshot"}, branches(u))).requireSuccess("snapshot 1");
      Map<String, String> second = secondChanges(u);
      tool(with(new String[] {"snapshot", "--name", "two"}, branches(u))).requireSuccess("snapshot 2");
      u.mount();
      file(u.mnt().resolve("in-upper"), "u");
      Map<String, String> shown = TreeSnapshot.of(u.mnt(), false);
      u.unmount();
      Processes.Result sq = tool(with(new String[] {"squash", u.upper().toString(), "1", "2", "--lower",
          u.lower(1).toString()}));
      assertEquals(0, sq.exit(), sq.toString());
      assertEquals(shown, mounted(u), "the merged view is kept");
      Path layers = SnapshotLayout.layersOf(u);
      List<String> ids = userNames(layers);
      assertEquals(1, ids.size(), "one layer: " + ids);
      Path merged = layers.resolve(ids.get(0));
      List<String> names = userNames(merged);
      assertFalse(names.contains("n1") || names.contains(".wh.n1"), "n1 lived in layer 1 only: " + names);
      assertFalse(names.contains("nd") || names.contains(".wh.nd"), "nd lived in layer 1 only: " + names);
      assertTrue(names.contains("h2") || names.contains(".wh.h2"), "h2's whiteout hides the lower's: " + names);
      assertTrue(tool("snapshot", "--list", u.upper().toString()).stdout().contains("  two\n"));
      assertClean(u);
      tool("reset", u.upper().toString()).requireSuccess("reset");
      assertEquals(second, mounted(u));
    }
  }

  @Test
  @DisplayName("a mounted upper, and a dead mount's, is refused with exit 8 and changes nothing")
  void snapshot_ofMountedUpper_refused(@TempDir Path tmp) throws Exception {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      firstChanges(u);
      u.mount();
      Map<String, String> upper = TreeSnapshot.of(u.upper(), true);
      for (String[] cmd : List.of(with(new String[] {"snapshot"}, branches(u)),
          new String[] {"reset", u.upper().toString()}, new String[] {"rollback", u.upper().toString(), "0"})) {
        Processes.Result r = tool(cmd);
        assertEquals(8, r.exit(), r.toString());
        assertTrue(r.stderr().startsWith("unionfs-java: " + cmd[0] + " needs an unmounted upper, but the upper is in"
            + " use by the union mounted at " + u.mnt() + " (pid " + u.pid()), r.stderr());
      }
      u.kill();
      Processes.Result dead = tool(with(new String[] {"snapshot"}, branches(u)));
      assertEquals(8, dead.exit(), dead.toString());
      assertTrue(dead.stderr().contains("the dead unionfs-java union at " + u.mnt()), dead.stderr());
      u.clearDeadMount();
      assertEquals(upper.keySet(), TreeSnapshot.of(u.upper(), true).keySet(), "nothing changed");
      assertFalse(Files.exists(SnapshotLayout.layersOf(u)), "no layers made");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"snapshot.before-swap", "snapshot.after-swap", "reset.before-swap", "reset.after-swap",
      "rollback.before-swap", "rollback.after-swap", "squash.before-rename", "squash.after-rename",
      "squash.after-record"})
  @DisplayName("killed at each crash point: the mount shows the old state or the new one; the next run and check are clean")
  void killedAtEachPoint_oldStateOrNew(String point, @TempDir Path tmp) throws Exception {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      Map<String, String> first = firstChanges(u);
      String tool = point.substring(0, point.indexOf('.'));
      Map<String, String> old;
      Map<String, String> now;
      String[] cmd;
      if (tool.equals("snapshot")) {
        old = first;
        now = first;
        cmd = with(new String[] {"snapshot"}, branches(u));
      } else {
        tool(with(new String[] {"snapshot"}, branches(u))).requireSuccess("snapshot 1");
        Map<String, String> second = secondChanges(u);
        if (tool.equals("squash")) {
          tool(with(new String[] {"snapshot"}, branches(u))).requireSuccess("snapshot 2");
          old = second;
          now = second;
          cmd = new String[] {"squash", u.upper().toString(), "1", "2", "--lower", u.lower(1).toString()};
        } else {
          old = second;
          now = first;
          cmd = tool.equals("reset") ? new String[] {"reset", u.upper().toString()}
              : new String[] {"rollback", u.upper().toString(), "1"};
        }
      }
      Processes.Result r = toolCrashingAt(point, cmd);
      assertEquals(137, r.exit(), "halted at " + point + "\n" + r.stderr());
      Map<String, String> seen = mounted(u);
      assertTrue(seen.equals(old) || seen.equals(now), "old or new state after a kill at " + point + ": " + seen.keySet());
      Processes.Result repair = tool(with(new String[] {"check", "--repair"}, branches(u)));
      assertEquals(0, repair.exit(), "check --repair removes what the kill left:\n" + repair);
      assertClean(u);
      if (!seen.equals(now) || tool.equals("snapshot")) { // the old state: the tool runs again
        Processes.Result again = tool(cmd);
        assertEquals(0, again.exit(), again.toString());
      }
      assertEquals(now, mounted(u), "the new state at last");
      assertClean(u);
      try (var s = Files.list(tmp.resolve("u"))) {
        assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".unionfs-")).toList(),
            "nothing left beside the upper");
      }
    }
  }

  @Test
  @DisplayName("snapshot and squash killed by SIGKILL at random moments: always the old state or the new one")
  void killedAtRandomMoments_oldStateOrNew(@TempDir Path tmp) throws Exception {
    Random random = new Random(16);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      Map<String, String> first = firstChanges(u);
      for (int i = 0; i < 200; i++) {
        file(u.upper().resolve("bulk/f" + i), "bulk " + i); // more to settle and to link
      }
      Map<String, String> shown = mounted(u);
      int killed = 0;
      for (int round = 0; round < 6; round++) {
        List<String> cmd = new ArrayList<>(List.of(TestUnion.launcher().toString()));
        cmd.addAll(List.of(with(new String[] {"snapshot", "-q"}, branches(u))));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(tmp.resolve("snap-" + round + ".log").toFile()).start();
        Thread.sleep(300 + random.nextInt(2500));
        if (p.isAlive()) {
          killed++;
        }
        p.toHandle().destroyForcibly(); // SIGKILL
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(shown, mounted(u), "round " + round + ": a snapshot never changes the view");
      }
      assertTrue(killed > 0, "some snapshot was killed while it ran");
      assertClean(u);
      tool(with(new String[] {"snapshot"}, branches(u))).requireSuccess("snapshot");
      int layers = userNames(SnapshotLayout.layersOf(u)).size();
      assertTrue(layers >= 1, "layers: " + layers);
      assertEquals(shown, mounted(u));
      assertFalse(first.isEmpty());
    }
  }
}
