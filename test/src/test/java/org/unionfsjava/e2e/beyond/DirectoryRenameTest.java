package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.dir;
import static org.unionfsjava.e2e.support.Fixture.exists;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.names;
import static org.unionfsjava.e2e.support.Fixture.read;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.1: rename(2) of a directory whose content is in a lower succeeds without EXDEV and
 * without copying the tree (a redirect records where the lower content lives), and everything
 * that can follow such a rename behaves as if the directory had simply moved: renaming back,
 * over an empty directory, in chains, its subdirectories, creating and deleting inside it. Also
 * the bench-like check that mv of a 10,000-file lower directory costs about what a 10-file one
 * does. One shared mount per format; each test works in its own top-level directory.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: directory rename by redirect (shared mounts)")
class DirectoryRenameTest {
  static final int BIG = 1000;
  static final int LARGE = 10_000;

  @TempDir
  static Path tmp;
  static SharedUnions unions;
  static final Map<UnionSystem, Map<String, String>> lowerPrints = new EnumMap<>(UnionSystem.class);

  @BeforeAll
  static void setUp() {
    unions = new SharedUnions(tmp, 1, u -> {
      Path l = u.lower(1);
      for (int i = 0; i < BIG; i++) {
        file(l.resolve(String.format("big/f%04d", i)), "file " + i);
      }
      file(l.resolve("big/sub/deep/x"), "deep x");
      for (String n : List.of("one", "two", "three")) {
        file(l.resolve("over/src/" + n), n);
        file(l.resolve("over/src2/" + n), n + "2");
      }
      dir(l.resolve("over/empty"));
      file(l.resolve("over/src3/three"), "3");
      file(l.resolve("over/emptied/z"), "z");
      file(l.resolve("inside2/d/old"), "old");
      file(l.resolve("marker/d/m"), "m");
      file(l.resolve("inside2/d/sub/deep"), "deep");
      file(l.resolve("over/full/blocker"), "blocker");
      file(l.resolve("chain/a/f"), "chained");
      file(l.resolve("chain/a/sub/g"), "chained g");
      file(l.resolve("self/d/sub/x"), "x");
      file(l.resolve("subren/p/sub1/s"), "s");
      file(l.resolve("subren/p/sub2/t"), "t");
      file(l.resolve("subren/p/top"), "top");
      file(l.resolve("inside/d/keep"), "keep");
      file(l.resolve("inside/d/gone"), "gone");
      file(l.resolve("inside/d/sub/k2"), "k2");
      for (int i = 0; i < 10; i++) {
        file(l.resolve("scale/warm/f" + i), "w");
        file(l.resolve("scale/small/f" + i), "s");
      }
      for (int i = 0; i < LARGE; i++) {
        file(l.resolve(String.format("scale/large/f%05d", i)), "");
      }
      synchronized (lowerPrints) {
        lowerPrints.put(u.system(), BranchChecksum.of(l));
      }
    });
  }

  @AfterAll
  static void tearDown() {
    List<String> changed = new ArrayList<>();
    try {
      unions.close();
    } finally {
      lowerPrints.forEach((system, before) -> {
        List<String> d = BranchChecksum.diff(before, BranchChecksum.of(tmp.resolve(system.name()).resolve("lower1")));
        if (!d.isEmpty()) {
          changed.add(system + ": " + d.subList(0, Math.min(20, d.size())));
        }
      });
    }
    assertTrue(changed.isEmpty(), "DESIGN §2: lowers are never written, but " + changed);
  }

  static String whiteoutFormat(TestUnion u) {
    return u.system().whiteoutFormat();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("a 1,000-file lower directory renames without EXDEV, without copying, and back")
  void renameThousandFileDirectory(UnionSystem system) {
    TestUnion u = unions.get(system);
    long filesBefore = BeyondFacts.countRegularFiles(u.upper());
    Syscalls.Call[] r = new Syscalls.Call[1];
    long took = BeyondFacts.time(() -> r[0] = Syscalls.rename(u.at("big"), u.at("big2")));
    System.out.println("[beyond] " + system + " rename of a " + BIG + "-file lower directory: " + BeyondFacts.ms(took));
    assertEquals("OK", r[0].outcome(), "rename(big, big2) must not answer EXDEV or anything else");
    long copied = BeyondFacts.countRegularFiles(u.upper()) - filesBefore;
    List<String> renamed = names(u.at("big2"));
    assertAll(
        () -> assertEquals(0, copied, "regular files the rename copied into the upper (markers not counted)"),
        () -> assertEquals(BIG + 1, renamed.size(), "names under big2"),
        () -> assertEquals("file 517", read(u.at("big2/f0517"))),
        () -> assertEquals("deep x", read(u.at("big2/sub/deep/x"))),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("big"), Syscalls.F_OK).outcome(), "the old name"),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("big/f0517"), Syscalls.F_OK).outcome(), "a lower name under the old name"),
        () -> assertFalse(names(u.mnt()).contains("big"), "readdir of the root still lists big"),
        () -> assertTrue(BeyondFacts.hasWhiteout(whiteoutFormat(u), u.upper(), "big"),
            "a whiteout at the old name in the upper"));

    Syscalls.rename(u.at("big2"), u.at("big")).requireOk();
    assertAll(
        () -> assertEquals(BIG + 1, names(u.at("big")).size(), "names under big after renaming back"),
        () -> assertEquals("file 3", read(u.at("big/f0003"))),
        () -> assertEquals("deep x", read(u.at("big/sub/deep/x"))),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("big2"), Syscalls.F_OK).outcome(), "big2 after renaming back"),
        () -> assertEquals(filesBefore, BeyondFacts.countRegularFiles(u.upper()), "files copied by the two renames"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("rename over an empty directory (lower, or made in the union) shows the source's content only")
  void renameOverEmptyDirectory(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.rename(u.at("over/src"), u.at("over/empty")).requireOk();
    Syscalls.mkdir(u.at("over/made"), 0755).requireOk();
    Syscalls.rename(u.at("over/src2"), u.at("over/made")).requireOk();
    assertAll(
        () -> assertEquals(List.of("one", "three", "two"), names(u.at("over/empty"))),
        () -> assertEquals("two", read(u.at("over/empty/two"))),
        () -> assertEquals(List.of("one", "three", "two"), names(u.at("over/made"))),
        () -> assertEquals("one2", read(u.at("over/made/one"))),
        () -> assertFalse(exists(u.at("over/src")), "over/src after the rename"),
        () -> assertFalse(exists(u.at("over/src2")), "over/src2 after the rename"),
        () -> assertEquals(List.of("emptied", "empty", "full", "made", "src3"), names(u.at("over"))),
        () -> assertEquals("ENOTEMPTY", Syscalls.rename(u.at("over/empty"), u.at("over/full")).outcome(),
            "rename over a non-empty lower directory"));
    // over a merged directory made empty through the union (its upper copy holds a whiteout)
    Syscalls.unlink(u.at("over/emptied/z")).requireOk();
    Syscalls.rename(u.at("over/src3"), u.at("over/emptied")).requireOk();
    assertAll(
        () -> assertEquals(List.of("three"), names(u.at("over/emptied"))),
        () -> assertEquals("3", read(u.at("over/emptied/three"))),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("over/emptied/z"), Syscalls.F_OK).outcome()),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("over/src3"), Syscalls.F_OK).outcome()));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("a merged directory already in the upper (a child copied up) renames with all its lower content")
  void renameOfDirectoryAlreadyCopiedUp(UnionSystem system) {
    TestUnion u = unions.get(system);
    file(u.at("inside2/d/old"), "changed"); // copies d up (no redirect yet) and old into it
    Syscalls.chmod(u.at("inside2/d/sub/deep"), 0600).requireOk(); // a metadata-only copy under it
    Syscalls.rename(u.at("inside2/d"), u.at("inside2/e")).requireOk();
    assertAll(
        () -> assertEquals(List.of("old", "sub"), names(u.at("inside2/e"))),
        () -> assertEquals("changed", read(u.at("inside2/e/old"))),
        () -> assertEquals("deep", read(u.at("inside2/e/sub/deep")), "the metadata-only copy's data, read from the lower"),
        () -> assertEquals(0600, Fixture.stat(u.at("inside2/e/sub/deep")).perm()),
        () -> assertEquals(List.of("e"), names(u.at("inside2"))));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_AUFS"})
  @DisplayName("aufs: the redirect marker of a renamed directory is not writable by other users")
  void redirectMarkerNotWorldWritable(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.rename(u.at("marker/d"), u.at("marker/e")).requireOk();
    Path marker = u.upper().resolve("marker/e/.wh..wh..redirect");
    assertTrue(exists(marker), "the redirect marker " + marker);
    int mode = Fixture.stat(marker).perm();
    assertEquals(0, mode & 0022, "mode " + Integer.toOctalString(mode) + " of " + marker + ": a user who may "
        + "write it can point the directory at any lower directory (other markers are 0444)");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("a -> b -> c, then a new a: c has the content, the new a is empty and stays separate")
  void chainOfRenames(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.rename(u.at("chain/a"), u.at("chain/b")).requireOk();
    Syscalls.rename(u.at("chain/b"), u.at("chain/c")).requireOk();
    Syscalls.mkdir(u.at("chain/a"), 0755).requireOk();
    file(u.at("chain/a/new"), "new in a");
    assertAll(
        () -> assertEquals(List.of("a", "c"), names(u.at("chain"))),
        () -> assertEquals(List.of("f", "sub"), names(u.at("chain/c"))),
        () -> assertEquals("chained g", read(u.at("chain/c/sub/g"))),
        () -> assertEquals(List.of("new"), names(u.at("chain/a")), "the new a must not show the lower a's content"),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("chain/b"), Syscalls.F_OK).outcome()),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("chain/a/f"), Syscalls.F_OK).outcome()));
    // and once more: the renamed tree moves back under a third name while the new a exists
    Syscalls.rename(u.at("chain/c"), u.at("chain/d")).requireOk();
    assertAll(
        () -> assertEquals(List.of("a", "d"), names(u.at("chain"))),
        () -> assertEquals("chained", read(u.at("chain/d/f"))),
        () -> assertEquals(List.of("new"), names(u.at("chain/a"))));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("rename of a directory into its own subtree is EINVAL and changes nothing")
  void renameIntoOwnSubtree(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("EINVAL", Syscalls.rename(u.at("self/d"), u.at("self/d/sub/d")).outcome());
    assertEquals("EINVAL", Syscalls.rename(u.at("self/d"), u.at("self/d/x")).outcome());
    assertAll(
        () -> assertEquals(List.of("d"), names(u.at("self"))),
        () -> assertEquals(List.of("x"), names(u.at("self/d/sub"))));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("subdirectories of a renamed directory rename within it and out of it")
  void subdirectoryOfRenamedDirectory(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.rename(u.at("subren/p"), u.at("subren/q")).requireOk();
    Syscalls.rename(u.at("subren/q/sub1"), u.at("subren/q/sub1b")).requireOk();
    Syscalls.rename(u.at("subren/q/sub2"), u.at("subren/out2")).requireOk();
    assertAll(
        () -> assertEquals(List.of("out2", "q"), names(u.at("subren"))),
        () -> assertEquals(List.of("sub1b", "top"), names(u.at("subren/q"))),
        () -> assertEquals("s", read(u.at("subren/q/sub1b/s"))),
        () -> assertEquals("t", read(u.at("subren/out2/t"))),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("subren/q/sub1"), Syscalls.F_OK).outcome()),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("subren/p"), Syscalls.F_OK).outcome()));
    // the renamed subdirectory itself renamed again, back into the parent under its first name
    Syscalls.rename(u.at("subren/out2"), u.at("subren/q/sub2")).requireOk();
    assertAll(
        () -> assertEquals(List.of("sub1b", "sub2", "top"), names(u.at("subren/q"))),
        () -> assertEquals("t", read(u.at("subren/q/sub2/t"))));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("files created and deleted inside a renamed directory, which then moves again")
  void changesInsideRenamedDirectory(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.rename(u.at("inside/d"), u.at("inside/e")).requireOk();
    file(u.at("inside/e/new"), "new");
    Syscalls.unlink(u.at("inside/e/gone")).requireOk();
    Syscalls.mkdir(u.at("inside/e/nd"), 0755).requireOk();
    file(u.at("inside/e/sub/k3"), "k3");
    file(u.at("inside/e/keep"), "kept, changed");
    List<String> expected = List.of("keep", "nd", "new", "sub");
    assertEquals(expected, names(u.at("inside/e")));
    Syscalls.rename(u.at("inside/e"), u.at("inside/f")).requireOk();
    assertAll(
        () -> assertEquals(expected, names(u.at("inside/f"))),
        () -> assertEquals(List.of("k2", "k3"), names(u.at("inside/f/sub"))),
        () -> assertEquals("kept, changed", read(u.at("inside/f/keep"))),
        () -> assertEquals("ENOENT", Syscalls.access(u.at("inside/f/gone"), Syscalls.F_OK).outcome(), "deleted name"),
        () -> assertEquals(List.of("f"), names(u.at("inside"))));
    // a new d: nothing of the old lower d shows through
    Syscalls.mkdir(u.at("inside/d"), 0755).requireOk();
    assertEquals(List.of(), names(u.at("inside/d")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("mv of a 10,000-file lower directory takes about as long as of a 10-file one")
  void mvTimeIndependentOfTreeSize(UnionSystem system) {
    TestUnion u = unions.get(system);
    mv(u, "scale/warm", "scale/warm2"); // first mv of this class's JVM code paths
    long small = BeyondFacts.time(() -> mv(u, "scale/small", "scale/small2"));
    long large = BeyondFacts.time(() -> mv(u, "scale/large", "scale/large2"));
    System.out.println("[beyond] " + system + " mv 10 files: " + BeyondFacts.ms(small) + ", mv "
        + LARGE + " files: " + BeyondFacts.ms(large));
    double ratio = (double) large / Math.max(small, 50_000_000L);
    assertTrue(ratio < 5, "mv of " + LARGE + " files took " + BeyondFacts.ms(large) + ", of 10 files "
        + BeyondFacts.ms(small) + ": ratio " + ratio + " (against at least 50 ms) is not < 5");
    assertEquals(LARGE, names(u.at("scale/large2")).size());
    assertFalse(exists(u.at("scale/large")));
  }

  private static void mv(TestUnion u, String from, String to) {
    Processes.run(Duration.ofSeconds(120), "mv", "-T", u.at(from).toString(), u.at(to).toString())
        .requireSuccess("mv " + from + " " + to);
  }
}
