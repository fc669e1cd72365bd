package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
 * mkdir, rmdir and rename through the mount (DESIGN §2 "Delete" and "Rename"): renames of
 * files from the lower and the upper, over lower files and whited-out names, of upper-only
 * directories, and {@code mv} of a lower directory (rename(2) may answer EXDEV; mv then copies).
 */
@Timeout(120)
@DisplayName("mkdir, rmdir, rename")
class MkdirRmdirRenameTest {
  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, MkdirRmdirRenameTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) throws IOException {
    Path l = u.lower(1);
    Fixture.dir(l.resolve("mkdir"));
    Fixture.dir(l.resolve("rmdir"));
    file(l.resolve("ren-lower/f"), "lower f");
    Fixture.dir(l.resolve("ren-upper"));
    file(l.resolve("ren-over/src"), "lower src");
    file(l.resolve("ren-over/dst"), "lower dst");
    file(l.resolve("ren-wh/src"), "lower src");
    file(l.resolve("ren-wh/gone"), "lower gone");
    file(l.resolve("ren-updir/keep"), "keep");
    file(l.resolve("mv-lowerdir/tree/a"), "a");
    file(l.resolve("mv-lowerdir/tree/sub/b"), "b");
    Files.createSymbolicLink(l.resolve("mv-lowerdir/tree/sub/link"), Path.of("../a"));
    Fixture.mode(l.resolve("mv-lowerdir/tree/sub"), 0750);
    file(l.resolve("rename-lowerdir/d/x"), "x");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("mkdir creates an empty directory with the requested mode in the upper; nested mkdir -p works")
  void mkdir_newDirectory_inUpperWithMode(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.mkdir(u.at("mkdir/d"), 0750).outcome());
    assertTrue(Files.isDirectory(u.at("mkdir/d")));
    assertEquals(0750, Fixture.stat(u.at("mkdir/d")).perm());
    assertEquals(List.of(), names(u.at("mkdir/d")));
    assertEquals(0750, Fixture.stat(u.upper().resolve("mkdir/d")).perm(), "upper");
    Processes.run(Duration.ofSeconds(30), "mkdir", "-p", u.at("mkdir/p/q/r").toString()).requireSuccess("mkdir -p");
    assertTrue(Files.isDirectory(u.at("mkdir/p/q/r")));
    assertFalse(Fixture.exists(u.lower(1).resolve("mkdir/d")), "lower untouched");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rmdir of an empty upper-only directory removes it from view and upper, leaving no whiteout")
  void rmdir_upperOnlyDirectory_removedWithoutWhiteout(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.mkdir(u.at("rmdir/d"), 0755).requireOk();
    assertEquals("OK", Syscalls.rmdir(u.at("rmdir/d")).outcome());
    assertFalse(Fixture.exists(u.at("rmdir/d")));
    assertFalse(Fixture.exists(u.upper().resolve("rmdir/d")), "upper copy removed");
    OnDiskFormat.assertNoWhiteout(system, u.upper(), "rmdir/d");
    assertEquals(List.of(), names(u.at("rmdir")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rename of a lower file to a new name: content moves, old name gone (whiteout), lower unchanged")
  void rename_lowerFileToNewName_movesAndHidesOld(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.rename(u.at("ren-lower/f"), u.at("ren-lower/g")).outcome());
    assertEquals("lower f", read(u.at("ren-lower/g")));
    assertFalse(Fixture.exists(u.at("ren-lower/f")), "old name must be gone");
    assertEquals(List.of("g"), names(u.at("ren-lower")));
    assertEquals("lower f", read(u.lower(1).resolve("ren-lower/f")), "lower keeps the file");
    OnDiskFormat.assertWhiteout(system, u.upper(), "ren-lower/f");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rename of an upper-only file to a new name leaves no whiteout behind")
  void rename_upperFileToNewName_noWhiteout(UnionSystem system) {
    TestUnion u = unions.get(system);
    file(u.at("ren-upper/a"), "upper a");
    assertEquals("OK", Syscalls.rename(u.at("ren-upper/a"), u.at("ren-upper/b")).outcome());
    assertEquals("upper a", read(u.at("ren-upper/b")));
    assertEquals(List.of("b"), names(u.at("ren-upper")));
    assertFalse(Fixture.exists(u.upper().resolve("ren-upper/a")));
    OnDiskFormat.assertNoWhiteout(system, u.upper(), "ren-upper/a");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rename of a lower file over another lower file replaces the target's content; both lowers unchanged")
  void rename_overExistingLowerFile_replacesTarget(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.rename(u.at("ren-over/src"), u.at("ren-over/dst")).outcome());
    assertEquals("lower src", read(u.at("ren-over/dst")));
    assertEquals(List.of("dst"), names(u.at("ren-over")));
    assertEquals("lower src", read(u.lower(1).resolve("ren-over/src")));
    assertEquals("lower dst", read(u.lower(1).resolve("ren-over/dst")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rename onto a whited-out name makes the moved file visible there, not the lower one")
  void rename_ontoWhitedOutName_showsMovedFile(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Files.delete(u.at("ren-wh/gone"));
    assertFalse(Fixture.exists(u.at("ren-wh/gone")));
    assertEquals("OK", Syscalls.rename(u.at("ren-wh/src"), u.at("ren-wh/gone")).outcome());
    assertEquals("lower src", read(u.at("ren-wh/gone")));
    assertEquals(List.of("gone"), names(u.at("ren-wh")));
    assertEquals("lower gone", read(u.lower(1).resolve("ren-wh/gone")));
    OnDiskFormat.assertNoWhiteout(system, u.upper(), "ren-wh/gone");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rename of a directory that exists only in the upper moves it with its children")
  void rename_upperOnlyDirectory_movesSubtree(UnionSystem system) {
    TestUnion u = unions.get(system);
    file(u.at("ren-updir/d/sub/f"), "f");
    file(u.at("ren-updir/d/g"), "g");
    assertEquals("OK", Syscalls.rename(u.at("ren-updir/d"), u.at("ren-updir/e")).outcome());
    assertEquals(List.of("e", "keep"), names(u.at("ren-updir")));
    assertEquals("f", read(u.at("ren-updir/e/sub/f")));
    assertEquals("g", read(u.at("ren-updir/e/g")));
    assertFalse(Fixture.exists(u.upper().resolve("ren-updir/d")), "old name gone from upper");
    OnDiskFormat.assertNoWhiteout(system, u.upper(), "ren-updir/d");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("mv of a lower directory succeeds (by rename or by copying) with the same tree; the lower is unchanged")
  void mv_lowerDirectory_succeedsWithSameTree(UnionSystem system) {
    TestUnion u = unions.get(system);
    Map<String, String> lowerBefore = TreeSnapshot.of(u.lower(1).resolve("mv-lowerdir/tree"), false);
    Map<String, String> viewBefore = TreeSnapshot.of(u.at("mv-lowerdir/tree"), false);
    Processes.run(Duration.ofSeconds(60), "mv", u.at("mv-lowerdir/tree").toString(), u.at("mv-lowerdir/moved").toString())
        .requireSuccess("mv of a lower directory");
    assertEquals(List.of("moved"), names(u.at("mv-lowerdir")));
    assertEquals(viewBefore, TreeSnapshot.of(u.at("mv-lowerdir/moved"), false), "moved tree");
    assertEquals(lowerBefore, TreeSnapshot.of(u.lower(1).resolve("mv-lowerdir/tree"), false), "lower tree");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("rename(2) of a lower directory either works or answers EXDEV, and never loses the directory")
  void rename_lowerDirectory_worksOrIsEXDEV(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.Call c = Syscalls.rename(u.at("rename-lowerdir/d"), u.at("rename-lowerdir/e"));
    assertTrue(List.of("OK", "EXDEV").contains(c.outcome()), c.toString());
    String visible = c.ok() ? "e" : "d";
    assertEquals(List.of(visible), names(u.at("rename-lowerdir")), c.toString());
    assertEquals("x", read(u.at("rename-lowerdir/" + visible + "/x")));
    assertEquals("x", read(u.lower(1).resolve("rename-lowerdir/d/x")), "lower unchanged");
  }
}
