package org.unionfsjava.e2e.semantics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.names;
import static org.unionfsjava.e2e.support.Fixture.read;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.OnDiskFormat;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Lookup and merge across an upper and three lowers (DESIGN §2 "Lookup"): the topmost branch
 * that has a name decides; directories merge down to a non-directory, a whiteout or an opaque
 * directory; a whiteout in a branch hides the name in all branches below. Files are named by
 * the branch they come from, so each assertion says which layer answered.
 */
@Timeout(120)
@DisplayName("stacks of three lowers: shadowing, merging, whiteouts and opaque dirs across layers")
class ThreeLowersTest {
  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 3, ThreeLowersTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) throws IOException {
    Path l1 = u.lower(1);
    Path l2 = u.lower(2);
    Path l3 = u.lower(3);
    // shadow: a file in lower1 hides lower2's file and lower2's directory of the same name
    file(l1.resolve("shadow/n"), "lower1");
    file(l2.resolve("shadow/n"), "lower2");
    file(l3.resolve("shadow/n"), "lower3");
    file(l1.resolve("shadow/m"), "lower1 file");
    file(l2.resolve("shadow/m/child"), "lower2 child");
    Fixture.dir(l1.resolve("shadow/dir-over-file"));
    file(l1.resolve("shadow/dir-over-file/x"), "lower1 x");
    file(l2.resolve("shadow/dir-over-file"), "lower2 file");
    // merge: one directory in upper and all three lowers
    file(u.upper().resolve("merge/d/u"), "upper");
    file(l1.resolve("merge/d/a"), "lower1");
    file(l2.resolve("merge/d/b"), "lower2");
    file(l3.resolve("merge/d/c"), "lower3");
    file(u.upper().resolve("merge/d/common"), "upper");
    file(l1.resolve("merge/d/common"), "lower1");
    file(l2.resolve("merge/d/common"), "lower2");
    file(l3.resolve("merge/d/common"), "lower3");
    file(l2.resolve("merge/d/sub/two"), "lower2");
    file(l3.resolve("merge/d/sub/three"), "lower3");
    // whiteout in the upper (made through the mount) hides the name in lower1 and lower2
    file(l1.resolve("upper-wh/f"), "lower1");
    file(l2.resolve("upper-wh/f"), "lower2");
    file(l1.resolve("upper-wh/d/x"), "lower1");
    file(l3.resolve("upper-wh/d/y"), "lower3");
    // markers already in lower1 hide lower2 and lower3
    file(l1.resolve("lower-wh/keep"), "lower1");
    OnDiskFormat.writeWhiteout(u.system(), l1, "lower-wh/f");
    file(l2.resolve("lower-wh/f"), "lower2");
    file(l3.resolve("lower-wh/f"), "lower3");
    OnDiskFormat.writeOpaque(u.system(), l1, "lower-opaque/d");
    file(l1.resolve("lower-opaque/d/mine"), "lower1");
    file(l2.resolve("lower-opaque/d/below"), "lower2");
    file(l3.resolve("lower-opaque/d/deeper"), "lower3");
    file(l2.resolve("lower-opaque/d2/below"), "lower2");
    OnDiskFormat.writeOpaque(u.system(), l2, "lower-opaque/d2");
    file(l3.resolve("lower-opaque/d2/deeper"), "lower3");
    file(l1.resolve("lower-opaque/d2/top"), "lower1");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("a name in lower2 is hidden by a file of that name in lower1; a non-directory hides a directory and vice versa")
  void lookup_fileInLower1_hidesSameNameBelow(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("lower1", read(u.at("shadow/n")));
    assertEquals("file", Fixture.stat(u.at("shadow/m")).kind(), "lower1's file hides lower2's directory");
    assertEquals("lower1 file", read(u.at("shadow/m")));
    assertEquals("ENOTDIR", Syscalls.access(u.at("shadow/m/child"), Syscalls.F_OK).outcome());
    assertEquals("dir", Fixture.stat(u.at("shadow/dir-over-file")).kind(), "lower1's dir hides lower2's file");
    assertEquals(List.of("x"), names(u.at("shadow/dir-over-file")));
    assertEquals(List.of("dir-over-file", "m", "n"), names(u.at("shadow")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("a directory merges across upper and three lowers, each name once, from the topmost layer")
  void readdir_dirInAllLayers_mergesTopDown(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals(List.of("a", "b", "c", "common", "sub", "u"), names(u.at("merge/d")));
    assertEquals("upper", read(u.at("merge/d/common")));
    assertEquals("lower1", read(u.at("merge/d/a")));
    assertEquals("lower2", read(u.at("merge/d/b")));
    assertEquals("lower3", read(u.at("merge/d/c")));
    assertEquals(List.of("three", "two"), names(u.at("merge/d/sub")), "subdirectory of lower2 and lower3 merges");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("a whiteout made in the upper hides the name in both lowers below; recreating shows only new content")
  void unlink_nameInTwoLowers_whiteoutHidesBoth(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Map<String, String> lowersBefore = snapshotLowers(u, "upper-wh");
    assertEquals("OK", Syscalls.unlink(u.at("upper-wh/f")).outcome());
    assertEquals("ENOENT", Syscalls.access(u.at("upper-wh/f"), Syscalls.F_OK).outcome());
    Processes.run(Duration.ofSeconds(30), "rm", "-rf", u.at("upper-wh/d").toString()).requireSuccess("rm -rf");
    assertEquals(List.of(), names(u.at("upper-wh")));
    OnDiskFormat.assertWhiteout(system, u.upper(), "upper-wh/f");
    OnDiskFormat.assertWhiteout(system, u.upper(), "upper-wh/d");
    Files.writeString(u.at("upper-wh/f"), "new");
    Files.createDirectory(u.at("upper-wh/d"));
    assertEquals("new", read(u.at("upper-wh/f")));
    assertEquals(List.of(), names(u.at("upper-wh/d")), "neither lower1's x nor lower3's y");
    assertEquals(lowersBefore, snapshotLowers(u, "upper-wh"), "lowers unchanged");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("a whiteout already in lower1 hides the name in lower2 and lower3 and is itself never listed")
  void lookup_whiteoutInLower1_hidesLowersBelow(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals(List.of("keep"), names(u.at("lower-wh")));
    assertEquals("ENOENT", Syscalls.access(u.at("lower-wh/f"), Syscalls.F_OK).outcome());
    assertEquals("ENOENT", Syscalls.unlink(u.at("lower-wh/f")).outcome(), "unlink of a name whited out below");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("an opaque directory in a lower stops the merge with the lowers below it, and its marker is not listed")
  void readdir_opaqueDirInLower_stopsMerge(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals(List.of("mine"), names(u.at("lower-opaque/d")), "opaque in lower1");
    assertEquals("ENOENT", Syscalls.access(u.at("lower-opaque/d/below"), Syscalls.F_OK).outcome());
    assertEquals(List.of("below", "top"), names(u.at("lower-opaque/d2")), "opaque in lower2 merges with lower1 only");
    assertEquals("ENOENT", Syscalls.access(u.at("lower-opaque/d2/deeper"), Syscalls.F_OK).outcome());
  }

  private static Map<String, String> snapshotLowers(TestUnion u, String rel) {
    Map<String, String> all = new java.util.TreeMap<>();
    for (int i = 1; i <= 3; i++) {
      Path p = u.lower(i).resolve(rel);
      if (Files.exists(p)) {
        int layer = i;
        TreeSnapshot.of(p, true).forEach((k, v) -> all.put("lower" + layer + "/" + k, v));
      }
    }
    return all;
  }
}
