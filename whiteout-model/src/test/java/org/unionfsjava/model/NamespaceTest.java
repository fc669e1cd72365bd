package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Namespace: create, delete, rename (DESIGN §2)")
class NamespaceTest extends AufsUnionTestBase {

  private List<String> upperNames(UnionFixture u, String dir) throws IOException {
    Path d = dir.isEmpty() ? u.branch("upper") : u.branch("upper").resolve(dir);
    return io.list(d).stream().map(DirEntry::name)
        .filter(n -> !n.equals(UnionFixture.WORK_NAME)).sorted().toList();
  }

  @Nested
  @DisplayName("create")
  class Create {

    @Test
    @DisplayName("A file created over a whiteout replaces the whiteout: the marker is gone and the new file shows")
    void create_overWhiteout_replacesIt() throws IOException {
      UnionFixture u = stack().file("lower1", "f").whiteout("upper", "f").build();

      u.createFile("/f", "new");

      assertEquals("new", u.content("/f"));
      assertEquals(List.of("f"), upperNames(u, ""));
      assertEquals(List.of(), u.temps());
    }

    @Test
    @DisplayName("mkdir over a whiteout makes an opaque directory: the lower directory's children stay hidden")
    void mkdir_overWhiteout_isOpaque() throws IOException {
      UnionFixture u = stack().file("lower1", "d/old").whiteout("upper", "d").build();

      u.mkdir("/d");

      Resolution.Visible d = u.visible("/d");
      assertTrue(d.opaque());
      assertEquals(List.of(), u.names("/d"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/d/old"));
      assertEquals(List.of(AufsFormat.OPAQUE_MARKER), upperNames(u, "d"));
      assertEquals(List.of("d"), upperNames(u, ""));
    }

    @Test
    @DisplayName("mkdir of a new name makes a plain directory that still merges with nothing")
    void mkdir_newName_notOpaque() throws IOException {
      UnionFixture u = stack().build();

      u.mkdir("/d");

      assertFalse(u.visible("/d").opaque());
      assertEquals(0755, io.lstat(u.branch("upper").resolve("d")).permissions());
    }

    @Test
    @DisplayName("A create inside a lower-only directory copies the directory chain up first")
    void create_inLowerOnlyDir_copiesParentUp() throws IOException {
      UnionFixture u = stack().file("lower1", "a/b/old").build();

      u.createFile("/a/b/new", "new");

      assertEquals("new", u.content("/a/b/new"));
      assertEquals("lower1", u.content("/a/b/old"));
      assertEquals(List.of("new", "old"), u.names("/a/b").stream().sorted().toList());
    }

    @Test
    @DisplayName("A create of a visible name is EEXIST; in a missing directory ENOENT; below a file ENOTDIR")
    void create_errnos() throws IOException {
      UnionFixture u = stack().file("lower1", "f").build();

      assertErrno(Errno.EEXIST, () -> u.createFile("/f", "x"));
      assertErrno(Errno.ENOENT, () -> u.createFile("/nope/f", "x"));
      assertErrno(Errno.ENOTDIR, () -> u.createFile("/f/x", "x"));
    }

    @Test
    @DisplayName("Names starting with .wh. are reserved by the aufs format: create and mkdir answer EINVAL")
    void create_reservedName_einval() throws IOException {
      UnionFixture u = stack().build();

      assertErrno(Errno.EINVAL, () -> u.createFile("/.wh.x", "x"));
      assertErrno(Errno.EINVAL, () -> u.mkdir("/.wh.d"));
      assertFalse(Files.exists(u.branch("upper").resolve(".wh.x")));
    }

    @Test
    @DisplayName("A hard link to a lower file copies it up first; both names show the same upper file")
    void link_lowerFile_copiesUpAndLinks() throws IOException {
      UnionFixture u = stack().file("lower1", "f").file("lower1", "g").build();
      u.unlink("/g");
      Map<String, String> before = u.snapshot("lower1");

      u.namespace().link(u.visible("/f"), u.resolve("/g"));
      u.namespace().link(u.visible("/f"), u.resolve("/h"));

      assertEquals("upper", u.provenance("/f"));
      assertEquals("lower1", u.content("/g"));
      assertEquals(u.visible("/f").stat().ino(), u.visible("/g").stat().ino());
      assertEquals(u.visible("/f").stat().ino(), u.visible("/h").stat().ino());
      assertEquals(List.of("f", "g", "h"), upperNames(u, ""));
      assertEquals(before, u.snapshot("lower1"));
      assertErrno(Errno.EPERM, () -> u.namespace().link(u.visible("/"), u.resolve("/x")));
    }

    @Test
    @DisplayName("A hard link may not take a reserved .wh. name (EINVAL)")
    void link_reservedName_einval() throws IOException {
      UnionFixture u = stack().file("upper", "f").build();

      assertErrno(Errno.EINVAL, () -> u.namespace().link(u.visible("/f"), u.resolve("/.wh.f")));
    }
  }

  @Nested
  @DisplayName("unlink and rmdir")
  class Delete {

    @Test
    @DisplayName("unlink of a file only in a lower leaves a whiteout; the lower is unchanged")
    void unlink_fileOnlyInLower_createsWhiteout() throws IOException {
      UnionFixture u = stack().file("lower1", "d/f").file("lower2", "d/f").build();
      Map<String, String> l1 = u.snapshot("lower1");
      Map<String, String> l2 = u.snapshot("lower2");

      u.unlink("/d/f");

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d/f"));
      assertEquals(List.of(".wh.f"), upperNames(u, "d"));
      assertEquals(l1, u.snapshot("lower1"));
      assertEquals(l2, u.snapshot("lower2"));
    }

    @Test
    @DisplayName("unlink of an upper-only file deletes it and leaves no whiteout")
    void unlink_upperOnlyFile_leavesNothing() throws IOException {
      UnionFixture u = stack().file("upper", "f").build();

      u.unlink("/f");

      assertInstanceOf(Resolution.Missing.class, u.resolve("/f"));
      assertEquals(List.of(), upperNames(u, ""));
    }

    @Test
    @DisplayName("unlink of a copied-up file that a lower still has removes the upper copy and leaves a whiteout")
    void unlink_copiedUpFile_whiteoutReplacesCopy() throws IOException {
      UnionFixture u = stack().file("upper", "f").file("lower2", "f").build();

      u.unlink("/f");

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/f"));
      assertEquals(List.of(".wh.f"), upperNames(u, ""));
    }

    @Test
    @DisplayName("unlink of an open upper-only file moves it to the keep path: the name is gone, the data survives")
    void unlinkKeeping_upperOnlyFile_movedToKeep() throws IOException {
      UnionFixture u = stack().file("upper", "f", "open data").build();
      Path keep = u.work().newTempPath();

      Layer now = u.namespace().unlinkKeeping(u.visible("/f"), u.lookup().root(), keep);

      assertEquals(keep, now.path());
      assertTrue(now.inUpper());
      assertEquals("open data", Files.readString(keep));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/f"));
      assertEquals(List.of(), upperNames(u, ""));
    }

    @Test
    @DisplayName("unlink of an open copied-up file that a lower has moves it to keep and leaves a whiteout")
    void unlinkKeeping_copiedUpFile_whiteoutAndKeep() throws IOException {
      UnionFixture u = stack().file("upper", "f", "copy").file("lower1", "f").build();
      Path keep = u.work().newTempPath();

      u.namespace().unlinkKeeping(u.visible("/f"), u.lookup().root(), keep);

      assertEquals("copy", Files.readString(keep));
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/f"));
      assertEquals(List.of(".wh.f"), upperNames(u, ""));
    }

    @Test
    @DisplayName("unlink of an open lower file leaves a whiteout and answers the unchanged lower layer")
    void unlinkKeeping_lowerFile_whiteoutAndLowerLayer() throws IOException {
      UnionFixture u = stack().file("lower1", "d/f").build();

      Layer now = u.namespace().unlinkKeeping(u.visible("/d/f"), u.visible("/d"), u.work().newTempPath());

      assertEquals(u.branch("lower1").resolve("d/f"), now.path());
      assertEquals("lower1", Files.readString(now.path()));
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d/f"));
      assertEquals(List.of(), u.temps());
    }

    @Test
    @DisplayName("unlink of a directory is EISDIR; rmdir of a file ENOTDIR; rmdir of the root EBUSY")
    void delete_wrongKind_errnos() throws IOException {
      UnionFixture u = stack().file("lower1", "f").dir("lower1", "d").build();

      assertErrno(Errno.EISDIR, () -> u.unlink("/d"));
      assertErrno(Errno.ENOTDIR, () -> u.rmdir("/f"));
      assertErrno(Errno.EBUSY, () -> u.namespace().rmdir(u.lookup().root(), u.lookup().root()));
    }

    @Test
    @DisplayName("rmdir of a merged directory whose lower names were all unlinked succeeds and leaves a whiteout")
    void rmdir_mergedDirAllLowerEntriesDeleted_works() throws IOException {
      UnionFixture u = stack().file("lower1", "d/x").file("lower2", "d/y").file("lower2", "d/sub/z").build();
      u.unlink("/d/x");
      u.unlink("/d/y");
      u.unlink("/d/sub/z");
      u.rmdir("/d/sub");

      u.rmdir("/d");

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));
      assertEquals(List.of(".wh.d"), upperNames(u, ""));
      assertEquals(List.of(), u.temps());
      assertTrue(u.existsIn("lower2", "d/sub/z"));
    }

    @Test
    @DisplayName("rmdir of a directory with a visible name is ENOTEMPTY, also when the name comes from a lower")
    void rmdir_nonEmpty_enotempty() throws IOException {
      UnionFixture u = stack().dir("upper", "d").file("lower2", "d/x").build();

      assertErrno(Errno.ENOTEMPTY, () -> u.rmdir("/d"));
      assertTrue(Files.isDirectory(u.branch("upper").resolve("d")));
    }

    @Test
    @DisplayName("rmdir of an upper-only directory holding only stale markers removes it all, without a whiteout")
    void rmdir_upperOnlyDirWithMarkers_removed() throws IOException {
      UnionFixture u = stack().file("lower1", "d/x").build();
      u.unlink("/d/x");
      // the lower directory goes away (another client), the upper copy keeps its marker
      Files.delete(u.branch("lower1").resolve("d/x"));
      Files.delete(u.branch("lower1").resolve("d"));

      u.rmdir("/d");

      assertInstanceOf(Resolution.Missing.class, u.resolve("/d"));
      assertEquals(List.of(), upperNames(u, ""));
      assertEquals(List.of(), u.temps());
    }

    @Test
    @DisplayName("rmdir of an opaque directory made over a whiteout leaves the whiteout again")
    void rmdir_opaqueDirOverLowerDir_whiteoutAgain() throws IOException {
      UnionFixture u = stack().file("lower1", "d/old").whiteout("upper", "d").build();
      u.mkdir("/d");

      u.rmdir("/d");

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));
      assertEquals(List.of(".wh.d"), upperNames(u, ""));
    }
  }

  @Nested
  @DisplayName("rename")
  class Rename {

    @Test
    @DisplayName("A lower file renamed to a new name is copied up there; a whiteout is left at the old name")
    void rename_lowerFileToNewName_leavesWhiteout() throws IOException {
      UnionFixture u = stack().file("lower1", "d/a").build();
      Map<String, String> before = u.snapshot("lower1");

      u.rename("/d/a", "/b"); // across directories

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d/a"));
      assertEquals("lower1", u.content("/b"));
      assertEquals("upper", u.provenance("/b"));
      assertEquals(List.of(".wh.a"), upperNames(u, "d"));
      assertEquals(before, u.snapshot("lower1"));
      assertEquals(List.of(), u.temps());
    }

    @Test
    @DisplayName("A file renamed over an existing lower file replaces it; the old name is whited out")
    void rename_overExistingFile_replaces() throws IOException {
      UnionFixture u = stack().file("lower1", "a", "from a").file("lower2", "b", "from b").build();

      u.rename("/a", "/b");

      assertEquals("from a", u.content("/b"));
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/a"));
      assertEquals(List.of("b"), u.names("/"));
      assertEquals("from b", Files.readString(u.branch("lower2").resolve("b")));
    }

    @Test
    @DisplayName("A file renamed onto a whited-out name shows under that name and hides the lower's object")
    void rename_ontoWhitedOutName_shows() throws IOException {
      UnionFixture u = stack().file("upper", "a", "mine").file("lower1", "b", "old b").whiteout("upper", "b").build();

      u.rename("/a", "/b");

      assertEquals("mine", u.content("/b"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/a"));
      assertEquals(List.of("b"), u.names("/"));
    }

    @Test
    @DisplayName("Kind mismatches: file over directory EISDIR, directory over file ENOTDIR, over a non-empty directory ENOTEMPTY")
    void rename_kindMismatch_errnos() throws IOException {
      UnionFixture u = stack().file("upper", "f").dir("upper", "d").dir("upper", "e").file("lower1", "full/x").build();

      assertErrno(Errno.EISDIR, () -> u.rename("/f", "/d"));
      assertErrno(Errno.ENOTDIR, () -> u.rename("/d", "/f"));
      assertErrno(Errno.ENOTEMPTY, () -> u.rename("/d", "/full"));
      assertEquals("upper", u.content("/f"));
      assertTrue(u.visible("/d").isDirectory());
    }

    @Test
    @DisplayName("A directory with lower content renames without copying its tree: a redirect finds the lower content under the new name, the old name is whited out")
    void rename_dirWithLowerContent_redirects() throws IOException {
      UnionFixture u = stack().file("upper", "d/u").file("lower1", "d/l").file("lower1", "only/x").build();
      Map<String, String> before = u.snapshot("lower1");

      u.rename("/d", "/e");
      u.rename("/only", "/e/moved");

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/only"));
      assertEquals(java.util.Set.of("u", "l", "moved"), java.util.Set.copyOf(u.names("/e")));
      assertEquals(List.of("x"), u.names("/e/moved"));
      assertEquals("lower1", u.content("/e/moved/x"));
      assertFalse(Files.exists(u.branch("upper").resolve("e/moved/x")), "the tree was not copied");
      assertEquals(before, u.snapshot("lower1"));
    }

    @Test
    @DisplayName("A directory with a relative redirect keeps its lower content when it is renamed into another directory, also over an empty directory")
    void rename_relativeRedirect_madeAbsolute() throws IOException {
      UnionFixture u = stack().file("lower1", "p/y/file", "Y").file("lower1", "p/y2/file2", "Y2").dir("upper", "p/x")
          .dir("upper", "p/x2").dir("upper", "q/empty").build();
      u.format().setRedirect(u.io(), u.branch("upper").resolve("p/x"), "y"); // as kernel overlayfs writes
      u.format().setRedirect(u.io(), u.branch("upper").resolve("p/x2"), "y2");
      Map<String, String> before = u.snapshot("lower1");

      u.rename("/p/x", "/q/moved");
      u.rename("/p/x2", "/q/empty");

      assertEquals(List.of("file"), u.names("/q/moved"));
      assertEquals("Y", u.content("/q/moved/file"));
      assertEquals("/p/y", u.format().redirect(u.io(), u.branch("upper").resolve("q/moved")));
      assertEquals(List.of("file2"), u.names("/q/empty"));
      assertEquals("Y2", u.content("/q/empty/file2"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/p/x"));
      assertEquals(before, u.snapshot("lower1"));
    }

    @Test
    @DisplayName("A directory with a relative redirect renamed within its directory keeps its lower content")
    void rename_relativeRedirect_sameDirectory() throws IOException {
      UnionFixture u = stack().file("lower1", "p/y/file", "Y").dir("upper", "p/x").build();
      u.format().setRedirect(u.io(), u.branch("upper").resolve("p/x"), "y");

      u.rename("/p/x", "/p/z");

      assertEquals("Y", u.content("/p/z/file"));
      assertEquals(List.of("file"), u.names("/p/z"));
    }

    @Test
    @DisplayName("aufs: a file renamed onto a name whose object has its own .wh. marker beside it (a crash left the pair) replaces both")
    void rename_ontoAufsPair_dropsTheMarker() throws IOException {
      UnionFixture u = stack().file("lower1", "n", "lower n").file("upper", "n", "upper n").file("upper", "a", "mine")
          .build();
      io.createFile(u.branch("upper").resolve(".wh.n"), 0444); // a crash inside an aufs replace leaves this

      u.rename("/a", "/n");

      assertEquals("mine", u.content("/n"));
      assertEquals(List.of("n"), upperNames(u, ""));
      u.namespace().unlink(u.visible("/n"), u.lookup().root());
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/n"));
      assertEquals(List.of(), u.names("/"));
    }

    @Test
    @DisplayName("aufs: a directory with lower content renamed onto an empty paired directory shows its own content, not the lower's of the new name")
    void rename_dirOntoAufsPairDir_keepsItsContent() throws IOException {
      UnionFixture u = stack().file("lower1", "n/hidden").dir("upper", "n").file("lower1", "d/mine", "D").build();
      io.createFile(u.branch("upper").resolve(".wh.n"), 0444);
      assertEquals(List.of(), u.names("/n"), "the pair hides the lower n (harness check)");

      u.rename("/d", "/n");

      assertEquals(List.of("mine"), u.names("/n"));
      assertEquals("D", u.content("/n/mine"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/n/hidden"));
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));
      assertEquals(List.of(".wh.d", "n"), upperNames(u, ""));
    }

    @Test
    @DisplayName("An upper-only directory is renamed with its children in one step")
    void rename_upperOnlyDir_moves() throws IOException {
      UnionFixture u = stack().file("upper", "d/x").file("upper", "d/sub/y").file("lower1", "other").build();

      u.rename("/d", "/e");

      assertInstanceOf(Resolution.Missing.class, u.resolve("/d"));
      assertEquals("upper", u.content("/e/x"));
      assertEquals("upper", u.content("/e/sub/y"));
      assertEquals(List.of("e", "other"), u.names("/").stream().sorted().toList());
    }

    @Test
    @DisplayName("An upper-only directory renamed over an empty merged directory becomes opaque there")
    void rename_upperDirOverEmptyMergedDir_opaque() throws IOException {
      UnionFixture u = stack().file("upper", "src/mine").file("lower1", "dst/old").whiteout("upper", "dst/old").build();

      u.rename("/src", "/dst");

      assertInstanceOf(Resolution.Missing.class, u.resolve("/src"));
      assertTrue(u.visible("/dst").opaque());
      assertEquals(List.of("mine"), u.names("/dst"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/dst/old"));
      assertEquals(List.of(), u.temps());
      assertEquals(List.of("dst"), upperNames(u, ""));
    }

    @Test
    @DisplayName("A directory cannot move into its own subtree (EINVAL)")
    void rename_intoOwnSubtree_einval() throws IOException {
      UnionFixture u = stack().file("upper", "d/sub/x").build();

      assertErrno(Errno.EINVAL, () -> u.rename("/d", "/d/sub/d2"));
      assertEquals("upper", u.content("/d/sub/x"));
    }

    @Test
    @DisplayName("rename between two names of one hard link does nothing, as POSIX says; to itself likewise")
    void rename_sameHardLink_noop() throws IOException {
      UnionFixture u = stack().file("upper", "a").build();
      Files.createLink(u.branch("upper").resolve("b"), u.branch("upper").resolve("a"));

      u.rename("/a", "/b");
      u.rename("/a", "/a");

      assertEquals("upper", u.content("/a"));
      assertEquals("upper", u.content("/b"));
      assertEquals(List.of("a", "b"), upperNames(u, ""));
    }

    @Test
    @DisplayName("rename to a reserved .wh. name is EINVAL and the source stays")
    void rename_toReservedName_einval() throws IOException {
      UnionFixture u = stack().file("lower1", "a").build();

      assertErrno(Errno.EINVAL, () -> u.rename("/a", "/.wh.a"));
      assertEquals("lower1", u.content("/a"));
      assertEquals(List.of(), upperNames(u, ""));
    }

    @Test
    @DisplayName("rename of or onto the root is EBUSY")
    void rename_root_ebusy() throws IOException {
      UnionFixture u = stack().file("upper", "f").build();

      assertErrno(Errno.EBUSY, () -> u.namespace().rename(u.lookup().root(), u.lookup().root(),
          u.resolve("/g"), u.lookup().root()));
    }
  }

  @Nested
  @DisplayName("exchange (renameat2 RENAME_EXCHANGE)")
  class Exchange {

    @Test
    @DisplayName("Two upper files swap names in one step; nothing else appears in the upper")
    void exchange_upperFiles_swap() throws IOException {
      UnionFixture u = stack().file("upper", "a", "A").file("upper", "b", "B").build();

      u.exchange("/a", "/b");

      assertEquals("B", u.content("/a"));
      assertEquals("A", u.content("/b"));
      assertEquals(List.of("a", "b"), upperNames(u, ""));
      assertEquals(List.of(), u.temps());
    }

    @Test
    @DisplayName("Two lower files are copied up and swapped; no whiteout is needed, the lower is unchanged")
    void exchange_lowerFiles_copiedUpAndSwapped() throws IOException {
      UnionFixture u = stack().file("lower1", "a", "A").file("lower2", "b", "B").build();
      Map<String, String> l1 = u.snapshot("lower1");
      Map<String, String> l2 = u.snapshot("lower2");

      u.exchange("/a", "/b");

      assertEquals("B", u.content("/a"));
      assertEquals("A", u.content("/b"));
      assertEquals("upper", u.provenance("/a"));
      assertEquals(List.of("a", "b"), upperNames(u, ""));
      assertEquals(List.of("a", "b"), u.names("/").stream().sorted().toList());
      assertEquals(l1, u.snapshot("lower1"));
      assertEquals(l2, u.snapshot("lower2"));
      assertEquals(List.of(), u.temps());
    }

    @Test
    @DisplayName("A lower file and an upper directory swap kinds; across directories too")
    void exchange_fileAndDirectory_acrossDirectories() throws IOException {
      UnionFixture u = stack().file("lower1", "d1/f", "F").file("upper", "d2/dir/inside", "I").build();

      u.exchange("/d1/f", "/d2/dir");

      assertTrue(u.visible("/d1/f").isDirectory());
      assertEquals(List.of("inside"), u.names("/d1/f"));
      assertEquals("I", u.content("/d1/f/inside"));
      assertEquals("F", u.content("/d2/dir"));
      assertEquals(List.of("f"), upperNames(u, "d1"));
      assertEquals(List.of("dir"), upperNames(u, "d2"));
    }

    @Test
    @DisplayName("Two lower directories swap without copying their trees: each redirects to its lower content")
    void exchange_lowerDirectories_redirect() throws IOException {
      UnionFixture u = stack().file("lower1", "x/one", "1").file("lower1", "x/sub/deep", "d")
          .file("lower2", "y/two", "2").file("upper", "y/mine", "m").build();
      Map<String, String> l1 = u.snapshot("lower1");

      u.exchange("/x", "/y");

      assertEquals(java.util.Set.of("two", "mine"), java.util.Set.copyOf(u.names("/x")));
      assertEquals("2", u.content("/x/two"));
      assertEquals("m", u.content("/x/mine"));
      assertEquals(java.util.Set.of("one", "sub"), java.util.Set.copyOf(u.names("/y")));
      assertEquals("d", u.content("/y/sub/deep"));
      assertEquals("/x", u.format().redirect(u.io(), u.branch("upper").resolve("y")));
      assertEquals("/y", u.format().redirect(u.io(), u.branch("upper").resolve("x")));
      assertFalse(Files.exists(u.branch("upper").resolve("y/one")), "the tree was not copied");
      assertEquals(l1, u.snapshot("lower1"));

      u.exchange("/x", "/y"); // and back: the redirects already point where the content lives

      assertEquals(java.util.Set.of("one", "sub"), java.util.Set.copyOf(u.names("/x")));
      assertEquals(java.util.Set.of("two", "mine"), java.util.Set.copyOf(u.names("/y")));
    }

    @Test
    @DisplayName("An upper-only directory going onto a name a lower has becomes opaque: the other name's lower content does not show through")
    void exchange_upperOnlyDirectoryOntoLowerName_opaque() throws IOException {
      UnionFixture u = stack().file("upper", "new/n", "N").file("lower1", "old/o", "O").build();

      u.exchange("/new", "/old");

      assertEquals(List.of("n"), u.names("/old"));
      assertTrue(u.visible("/old").opaque());
      assertInstanceOf(Resolution.Missing.class, u.resolve("/old/o"));
      assertEquals(List.of("o"), u.names("/new"));
      assertEquals("O", u.content("/new/o"));
    }

    @Test
    @DisplayName("A directory with a relative redirect keeps its lower content when it moves to another directory")
    void exchange_relativeRedirect_madeAbsolute() throws IOException {
      UnionFixture u = stack().file("lower1", "p/y/file", "Y").dir("upper", "p/x").file("lower1", "q/z", "Z").build();
      u.format().setRedirect(u.io(), u.branch("upper").resolve("p/x"), "y"); // as kernel overlayfs writes
      assertEquals(List.of("file"), u.names("/p/x"));

      u.exchange("/p/x", "/q/z");

      assertEquals(List.of("file"), u.names("/q/z"));
      assertEquals("Y", u.content("/q/z/file"));
      assertEquals("Z", u.content("/p/x"));
    }

    @Test
    @DisplayName("aufs: a name whose object has its own .wh. marker beside it (a crash left the pair) exchanges like any other; the marker goes")
    void exchange_withAufsPair_dropsTheMarker() throws IOException {
      UnionFixture u = stack().file("lower1", "p/hidden").dir("upper", "p").file("upper", "q/mine", "Q").build();
      io.createFile(u.branch("upper").resolve(".wh.p"), 0444);
      assertEquals(List.of(), u.names("/p"), "the pair hides the lower p (harness check)");

      u.exchange("/p", "/q");

      assertEquals(List.of("mine"), u.names("/p"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/p/hidden"));
      assertEquals(List.of(), u.names("/q"));
      assertEquals(List.of("p", "q"), upperNames(u, ""));
      u.rename("/p/mine", "/q/mine");
      u.namespace().rmdir(u.visible("/p"), u.lookup().root());
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/p"));
    }

    @Test
    @DisplayName("A directory and its own descendant cannot be exchanged (EINVAL, either way round); nothing changes")
    void exchange_withDescendant_einval() throws IOException {
      UnionFixture u = stack().file("lower1", "d/sub/x").build();

      assertErrno(Errno.EINVAL, () -> u.exchange("/d", "/d/sub"));
      assertErrno(Errno.EINVAL, () -> u.exchange("/d/sub/x", "/d"));
      assertEquals(List.of(), upperNames(u, ""));
      assertEquals("lower1", u.content("/d/sub/x"));
    }

    @Test
    @DisplayName("A name exchanged with itself, or with another name of the same file, changes nothing; the root is EBUSY")
    void exchange_sameObject_noop() throws IOException {
      UnionFixture u = stack().file("upper", "a").file("lower1", "l").build();
      Files.createLink(u.branch("upper").resolve("b"), u.branch("upper").resolve("a"));

      u.exchange("/a", "/b");
      u.exchange("/l", "/l");

      assertEquals(List.of("a", "b"), upperNames(u, ""));
      assertEquals("lower1", u.provenance("/l"));
      assertErrno(Errno.EBUSY, () -> u.namespace().exchange(u.lookup().root(), u.lookup().root(),
          u.visible("/a"), u.lookup().root()));
    }
  }
}
