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
 * Issue 16, the offline tools on uppers that real mounts wrote: a union of each format is mounted,
 * changed (a file edited, one deleted, a directory renamed, a tree removed and made again, a
 * chmod, a hard link of a lower file copied up, new files), its merged view photographed and
 * unmounted. Then, with {@code bin/unionfs-java} as a user runs it: diff lists the changes;
 * commit writes exactly the photographed tree (owners and ns times included) and hard-links the
 * unchanged lower files; export gives a layer that, applied over the lower as the OCI image spec
 * says, is that tree too; convert to the other format and back keeps what a mount shows; check is
 * clean, and finds and repairs damage made by hand. Killed at the crash points inside commit and
 * convert, the target holds the old state or the new one. An upper unionfs-fuse wrote converts
 * into one unionfs-java mounts with the same tree. The lowers never change.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
@DisplayName("issue 16: diff, commit, check, convert, export on real uppers")
class LifecycleToolsTest {
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

  /** A changed union, unmounted; returns the merged view it showed (owners and times included). */
  private static Map<String, String> changedUpper(RelUnion u) throws Exception {
    Path l = u.lower(1);
    file(l.resolve("d/a"), "a");
    file(l.resolve("d/b"), "b");
    file(l.resolve("d/sub/s"), "s");
    file(l.resolve("keep/k"), "k");
    file(l.resolve("h1"), "h");
    Files.createLink(l.resolve("h2"), l.resolve("h1"));
    file(l.resolve("meta"), "meta");
    file(l.resolve("same"), "unchanged");
    for (int i = 0; i < 50; i++) {
      file(l.resolve("many/f" + i), "f" + i);
    }
    u.mount();
    Path m = u.mnt();
    Files.delete(m.resolve("d/a"));
    Files.writeString(m.resolve("d/b"), "more", java.nio.file.StandardOpenOption.APPEND);
    Files.move(m.resolve("d"), m.resolve("e"));
    Processes.run(T, "rm", "-rf", m.resolve("keep").toString()).requireSuccess("rm -rf");
    Files.createDirectory(m.resolve("keep"));
    file(m.resolve("keep/x"), "x");
    Files.writeString(m.resolve("h1"), "hh", java.nio.file.StandardOpenOption.APPEND);
    Fixture.mode(m.resolve("meta"), 0600);
    file(m.resolve("newfile"), "new");
    Files.createLink(m.resolve("newlink"), m.resolve("newfile"));
    Files.createSymbolicLink(m.resolve("sym"), Path.of("newfile"));
    Map<String, String> shown = TreeSnapshot.of(m, true);
    u.unmount();
    return shown;
  }

  private static String[] branches(RelUnion u) {
    return new String[] {u.upper().toString(), "--lower", u.lower(1).toString()};
  }

  private static String[] with(String[] head, String... tail) {
    List<String> a = new ArrayList<>(List.of(head));
    a.addAll(List.of(tail));
    return a.toArray(new String[0]);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void tools_onUpperARealMountWrote_seeAndWriteTheMergedView(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Map<String, String> shown = changedUpper(u);
      // commit hard-links lower files: their link counts and ctimes change, nothing a mount shows
      Map<String, String> lowerBefore = TreeSnapshot.of(u.lower(1), true);

      String diff = tool(with(new String[] {"diff"}, branches(u))).requireSuccess("diff").stdout();
      for (String line : List.of("renamed   /e <- /d", "deleted   /d/", "deleted   /e/a", "modified  /e/b",
          "opaque    /keep/", "added     /keep/x", "metadata  /meta", "added     /newfile",
          "hardlink  /newfile /newlink (2 links)")) {
        assertTrue(diff.contains(line + "\n"), "diff lists '" + line + "':\n" + diff);
      }
      assertFalse(diff.contains("/same"), "an unchanged lower file is no change:\n" + diff);
      String json = tool(with(new String[] {"diff", "--json"}, branches(u))).requireSuccess("diff --json").stdout();
      assertTrue(json.contains("\"change\" : \"renamed\"") && json.contains("\"from\" : \"/d\""), json);

      Path out = tmp.resolve("out");
      tool(with(new String[] {"commit", "--into", out.toString()}, branches(u))).requireSuccess("commit");
      assertEquals(shown, TreeSnapshot.of(out, true), "commit writes what the mount showed");
      assertEquals(Files.getAttribute(u.lower(1).resolve("same"), "unix:ino"),
          Files.getAttribute(out.resolve("same"), "unix:ino"), "an unchanged lower file is hard-linked");
      assertEquals(Files.getAttribute(out.resolve("h1"), "unix:ino"), Files.getAttribute(out.resolve("h2"), "unix:ino"),
          "the two names of the copied-up hard link stay one inode");
      assertFalse(Files.exists(out.resolve(".unionfs-java")), "nothing of the union's own");

      Path layer = tmp.resolve("layer.tar");
      tool(with(new String[] {"export", "--oci", layer.toString()}, branches(u))).requireSuccess("export");
      Path applied = tmp.resolve("applied");
      Processes.run(T, "cp", "-a", u.lower(1).toString(), applied.toString()).requireSuccess("cp");
      Processes.run(T, "bash", "-c", OCI_APPLY, "apply", layer.toString(), applied.toString()).requireSuccess("apply");
      assertEquals(TreeSnapshot.of(out, false), TreeSnapshot.of(applied, false),
          "the layer applied over the lower is the merged tree");

      String other = system == UnionSystem.JAVA_OVERLAY ? "aufs" : "overlay";
      tool(with(new String[] {"convert", "--to", other}, branches(u))).requireSuccess("convert");
      assertEquals(diff, tool(with(new String[] {"diff"}, branches(u))).requireSuccess("diff").stdout(),
          "the converted upper has the same changes");
      tool(with(new String[] {"convert", "--to", system.whiteoutFormat()}, branches(u))).requireSuccess("convert back");
      tool(with(new String[] {"check"}, branches(u))).requireSuccess("check after two conversions");
      u.mount();
      assertEquals(shown, TreeSnapshot.of(u.mnt(), true), "after two conversions a mount shows the same tree");
      u.unmount();
      assertEquals(lowerBefore, TreeSnapshot.of(u.lower(1), true), "the lowers are unchanged");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void check_damageMadeByHand_isFoundRepairedAndTheViewKept(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, system)) {
      Map<String, String> shown = changedUpper(u);
      assertEquals(0, tool(with(new String[] {"check"}, branches(u))).exit(), "a clean upper");
      boolean aufs = system == UnionSystem.JAVA_AUFS;
      Path stale = u.upper().resolve(aufs ? "keep/.wh.nothing" : "keep/nothing");
      if (aufs) {
        file(stale, "");
      } else {
        Processes.run(T, "mknod", stale.toString(), "c", "0", "0").requireSuccess("mknod");
      }
      Files.createDirectories(u.workDir().resolve("tmp/leftover"));
      Processes.Result found = tool(with(new String[] {"check"}, branches(u)));
      assertEquals(7, found.exit(), "damage remains: exit 7\n" + found.stdout());
      assertTrue(found.stdout().contains("stale-whiteout  /keep/nothing"), found.stdout());
      assertTrue(found.stdout().contains("temporary"), found.stdout());
      Processes.Result repaired = tool(with(new String[] {"check", "--repair"}, branches(u)));
      assertEquals(0, repaired.exit(), repaired.stdout());
      assertEquals(0, tool(with(new String[] {"check"}, branches(u))).exit());
      u.mount();
      assertEquals(shown, TreeSnapshot.of(u.mnt(), true), "the repairs keep the view");
      u.unmount();
    }
  }

  /**
   * aufs: a crash inside a replace (rename leaving a whiteout stops after the marker; create over
   * a whiteout stops before the marker goes) leaves {@code .wh.NAME} beside a visible NAME. For a
   * redirected directory the pair still merges its redirect's lower content: check reports the
   * pair and --repair removes the marker without making the directory opaque.
   */
  @Test
  void check_aufsPairBesideARedirectedDirectory_repairKeepsItsLowerContent(@TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(UnionSystem.JAVA_AUFS);
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_AUFS)) {
      Map<String, String> shown = changedUpper(u); // /e is /d renamed: a redirect to /d
      assertTrue(Files.exists(u.upper().resolve("e/.wh..wh..redirect")), "harness check: /e is redirected");
      file(u.upper().resolve(".wh.e"), ""); // what a crash at whiteout.after-marker renaming /e leaves
      file(u.upper().resolve(".wh.newfile"), "");
      Processes.Result found = tool(with(new String[] {"check"}, branches(u)));
      assertEquals(7, found.exit(), "damage remains: exit 7\n" + found.stdout());
      assertTrue(found.stdout().contains("aufs-pair       /e:"), found.stdout());
      assertTrue(found.stdout().contains("aufs-pair       /newfile:"), found.stdout());
      u.mount();
      assertEquals(shown, TreeSnapshot.of(u.mnt(), true), "the pairs show what the union showed (harness check)");
      u.unmount();

      Processes.Result repaired = tool(with(new String[] {"check", "--repair"}, branches(u)));
      assertEquals(0, repaired.exit(), repaired.stdout());
      assertFalse(Files.exists(u.upper().resolve(".wh.e")) || Files.exists(u.upper().resolve(".wh.newfile")),
          "the markers are gone");
      assertFalse(Files.exists(u.upper().resolve("e/.wh..wh..opq")), "the redirected directory is not made opaque");
      assertEquals(0, tool(with(new String[] {"check"}, branches(u))).exit());
      u.mount();
      assertEquals(shown, TreeSnapshot.of(u.mnt(), true), "the repairs keep the view (e/sub/s from the lower)");
      u.unmount();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"commit.before-rename", "commit.after-exchange"})
  void commit_killedAtEachPoint_leavesTheOldTreeOrTheNew(String point, @TempDir Path tmp) throws Exception {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      Map<String, String> shown = changedUpper(u);
      Path into = tmp.resolve("base");
      file(into.resolve("old"), "old tree");
      Map<String, String> old = TreeSnapshot.of(into, true);
      Processes.Result r = toolCrashingAt(point, with(new String[] {"commit", "--replace", "--into", into.toString()}, branches(u)));
      assertEquals(137, r.exit(), "halted at " + point + "\n" + r.stderr());
      Map<String, String> now = TreeSnapshot.of(into, true);
      assertTrue(now.equals(old) || now.equals(shown), "old or new tree at " + point + ", was " + now.keySet());
      tool(with(new String[] {"commit", "--replace", "--into", into.toString()}, branches(u))).requireSuccess("commit again");
      assertEquals(shown, TreeSnapshot.of(into, true));
      try (var s = Files.list(tmp)) {
        assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".unionfs-commit.")).toList(),
            "the next commit removed what the crash left beside the target");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"convert.before-swap", "convert.after-swap"})
  void convert_killedAtEachPoint_mountsTheOldUpperOrTheNew(String point, @TempDir Path tmp) throws Exception {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      Map<String, String> shown = changedUpper(u);
      Processes.Result r = toolCrashingAt(point, with(new String[] {"convert", "--to", "aufs"}, branches(u)));
      assertEquals(137, r.exit(), "halted at " + point + "\n" + r.stderr());
      String format = Files.readString(u.workDir().resolve("format")).trim();
      assertEquals(point.equals("convert.before-swap") ? "overlay" : "aufs", format);
      try (RelUnion again = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.valueOf("JAVA_" + format.toUpperCase()))) {
        again.mount();
        assertEquals(shown, TreeSnapshot.of(again.mnt(), true), "the upper after a kill at " + point);
        again.unmount();
      }
      tool(with(new String[] {"convert", "--to", "aufs"}, branches(u))).requireSuccess("convert again");
      assertEquals(0, tool(with(new String[] {"check"}, branches(u))).exit(), "nothing left over");
    }
  }

  @Test
  void convert_upperUnionfsFuseWrote_mountsWithTheSameTree(@TempDir Path tmp) throws Exception {
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    file(lower.resolve("d/a"), "a");
    file(lower.resolve("d/b"), "b");
    file(lower.resolve("d/sub/s"), "s");
    file(lower.resolve("f"), "f");
    Processes.run(T, "unionfs", "-o", "cow", upper + "=RW:" + lower + "=RO", mnt.toString()).requireSuccess("unionfs");
    Map<String, String> shown;
    try {
      Processes.sh(T, "cd " + mnt + " && rm f d/a && echo new >> d/b && rm -rf d/sub && mkdir d/sub"
          + " && echo t > d/sub/t && mkdir n && echo n > n/x").requireSuccess("changes through unionfs-fuse");
      shown = TreeSnapshot.of(mnt, false);
    } finally {
      Processes.run(T, "fusermount", "-u", mnt.toString());
    }
    shown.keySet().removeIf(k -> k.startsWith(".unionfs"));
    tool("convert", "--to", "aufs", upper.toString(), "--lower", lower.toString()).requireSuccess("convert");
    assertFalse(Files.exists(upper.resolve(".unionfs-fuse")) || Files.exists(upper.resolve(".unionfs")));
    try (TestUnionOver t = new TestUnionOver(tmp, upper, lower)) {
      assertEquals(shown, TreeSnapshot.of(t.mnt, false), "unionfs-java shows what unionfs-fuse showed");
    }
  }

  /** A unionfs-java mount of given branches (aufs), unmounted on close. */
  private static final class TestUnionOver implements AutoCloseable {
    final Path mnt;
    final Process daemon;

    TestUnionOver(Path tmp, Path upper, Path lower) throws Exception {
      mnt = Files.createDirectories(tmp.resolve("mnt2"));
      daemon = new ProcessBuilder(TestUnion.launcher().toString(), "mount", "--foreground", "--upper",
          upper.toString(), "--lower", lower.toString(), mnt.toString())
          .redirectErrorStream(true).redirectOutput(tmp.resolve("d.log").toFile()).start();
      if (!org.unionfsjava.e2e.support.Mounts.awaitMounted(mnt, "fuse.unionfs-java", Duration.ofSeconds(60), daemon.toHandle())) {
        close();
        throw new AssertionError("not mounted: " + Files.readString(tmp.resolve("d.log")));
      }
    }

    @Override
    public void close() throws Exception {
      org.unionfsjava.e2e.support.Mounts.unmountQuietly(mnt);
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
  }

  /** Applies an OCI layer over a tree as the image spec says: opaque dirs emptied, whiteouts applied, then extracted. */
  static final String OCI_APPLY = "set -e; layer=$1; dir=$2; tar tf \"$layer\" | while read -r e; do"
      + " b=$(basename \"$e\"); case \"$b\" in"
      + " .wh..wh..opq) d=\"$dir/$(dirname \"$e\")\"; [ -d \"$d\" ] && find \"$d\" -mindepth 1 -delete ;;"
      + " .wh.*) rm -rf \"$dir/$(dirname \"$e\")/${b#.wh.}\" ;; esac; done;"
      + " tar xpf \"$layer\" -C \"$dir\" --exclude='.wh.*'";
}
