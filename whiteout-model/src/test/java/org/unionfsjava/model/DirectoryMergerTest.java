package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DirectoryMerger (DESIGN §2 readdir)")
class DirectoryMergerTest extends AufsUnionTestBase {

  @Test
  @DisplayName("Each name is listed once, from its topmost branch, upper names first then each lower's new names")
  void list_namesInSeveralBranches_onceEachTopFirst() throws IOException {
    UnionFixture u = stack().lowers(3)
        .file("upper", "d/b").file("upper", "d/a")
        .file("lower1", "d/a").file("lower1", "d/c")
        .file("lower2", "d/b").file("lower2", "d/c").file("lower2", "d/e")
        .file("lower3", "d/a").file("lower3", "d/f")
        .build();

    List<MergedEntry> entries = u.merger().list(u.visible("/d"));

    // Jimfs lists a directory sorted; the merge keeps branch order
    assertEquals(List.of("a", "b", "c", "e", "f"), entries.stream().map(MergedEntry::name).toList());
    Map<String, String> from = entries.stream()
        .collect(Collectors.toMap(MergedEntry::name, e -> e.branch().label()));
    assertEquals(Map.of("a", "upper", "b", "upper", "c", "lower1", "e", "lower2", "f", "lower3"), from);
  }

  @Test
  @DisplayName("The entry carries the kind its branch reported and realPath finds it in that branch")
  void list_entryKindAndRealPath() throws IOException {
    UnionFixture u = stack().dir("lower1", "d/sub").file("lower2", "d/f").symlink("lower2", "d/l", "f").build();
    Resolution.Visible d = u.visible("/d");

    Map<String, MergedEntry> byName = u.merger().list(d).stream()
        .collect(Collectors.toMap(MergedEntry::name, e -> e));

    assertEquals(FileKind.DIRECTORY, byName.get("sub").kind());
    assertEquals(FileKind.REGULAR, byName.get("f").kind());
    assertEquals(FileKind.SYMLINK, byName.get("l").kind());
    assertEquals(u.branch("lower2").resolve("d/f"), DirectoryMerger.realPath(d, byName.get("f")));
  }

  @Test
  @DisplayName("Whiteouts, the names they hide below, markers and the work directory are never listed")
  void list_whiteoutsAndMarkers_hidden() throws IOException {
    UnionFixture u = stack()
        .whiteout("upper", "gone").whiteout("upper", "alsoGone").file("upper", "kept")
        .whiteout("lower1", "mid").file("lower1", "gone").file("lower1", "visible1")
        .opaque("lower1", "o")
        .file("lower2", "mid").file("lower2", "alsoGone").file("lower2", "visible2")
        .build();

    List<String> names = u.names("/");

    assertEquals(List.of("kept", "o", "visible1", "visible2"), names);
    assertEquals(List.of(), u.names("/o"), "an opaque marker is not a name");
  }

  @Test
  @DisplayName("A whiteout beside an object in the same branch hides only the branches below: the object is listed once")
  void list_objectBesideOwnWhiteout_listedOnce() throws IOException {
    UnionFixture u = stack().whiteout("upper", "x").file("upper", "x").file("lower1", "x").build();

    assertEquals(List.of("x"), u.names("/"));
    assertEquals("upper", u.content("/x"));
  }

  @Test
  @DisplayName("A lower directory that vanished after the lookup (NFS) contributes nothing; the listing still works")
  void list_vanishedLowerDir_skipped() throws IOException {
    UnionFixture u = stack().file("upper", "d/u").file("lower1", "d/l1").file("lower2", "d/l2").build();
    Resolution.Visible d = u.visible("/d");
    Files.delete(u.branch("lower1").resolve("d/l1"));
    Files.delete(u.branch("lower1").resolve("d"));

    assertEquals(List.of("u", "l2"), u.merger().list(d).stream().map(MergedEntry::name).toList());
  }

  @Test
  @DisplayName("A vanished upper directory is an error, not an empty listing")
  void list_vanishedUpperDir_enoent() throws IOException {
    UnionFixture u = stack().file("upper", "d/u").build();
    Resolution.Visible d = u.visible("/d");
    Files.delete(u.branch("upper").resolve("d/u"));
    Files.delete(u.branch("upper").resolve("d"));

    assertErrno(Errno.ENOENT, () -> u.merger().list(d));
  }

  @Test
  @DisplayName("Listing a non-directory is ENOTDIR")
  void list_file_enotdir() throws IOException {
    UnionFixture u = stack().file("lower1", "f").build();
    assertErrno(Errno.ENOTDIR, () -> u.merger().list(u.visible("/f")));
  }

  @Test
  @DisplayName("isEmpty: true when every lower name is whited out or only markers remain, false with one visible name")
  void isEmpty_whiteoutsAndMarkers() throws IOException {
    UnionFixture u = stack()
        .whiteout("upper", "d/a").whiteout("upper", "d/b").file("lower1", "d/a").file("lower2", "d/b")
        .opaque("upper", "o").file("lower1", "o/hidden")
        .whiteout("upper", "n/a").file("lower1", "n/a").file("lower2", "n/still")
        .dir("upper", "empty")
        .build();

    assertTrue(u.merger().isEmpty(u.visible("/d")));
    assertTrue(u.merger().isEmpty(u.visible("/o")));
    assertTrue(u.merger().isEmpty(u.visible("/empty")));
    assertFalse(u.merger().isEmpty(u.visible("/n")));
    assertFalse(u.merger().isEmpty(u.visible("/")));
  }

  @Test
  @DisplayName("The work directory name is internal only at the root; deeper it is an ordinary name")
  void list_workDirName_onlyHiddenAtRoot() throws IOException {
    UnionFixture u = stack().dir("lower1", UnionFixture.WORK_NAME).dir("lower1", "d/" + UnionFixture.WORK_NAME).build();

    assertEquals(List.of("d"), u.names("/"));
    assertEquals(List.of(UnionFixture.WORK_NAME), u.names("/d"));
  }
}
