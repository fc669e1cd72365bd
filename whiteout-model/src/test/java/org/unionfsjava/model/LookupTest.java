package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Lookup (DESIGN §2: topmost decides, directories merge, whiteouts and opaque stop)")
class LookupTest extends AufsUnionTestBase {

  private static List<String> labels(Resolution.Visible v) {
    return v.layers().stream().map(l -> l.branch().label()).toList();
  }

  @Nested
  @DisplayName("which branch answers")
  class Provenance {

    @Test
    @DisplayName("The topmost branch that has a file answers for it")
    void resolve_fileInSeveralBranches_topmostWins() throws IOException {
      UnionFixture u = stack().lowers(3)
          .file("upper", "common").file("lower1", "common").file("lower2", "common").file("lower3", "common")
          .file("lower2", "l2").file("lower3", "l2").file("lower3", "l3")
          .build();

      assertEquals("upper", u.content("/common"));
      assertEquals("lower2", u.content("/l2"));
      assertEquals("lower3", u.content("/l3"));
      assertEquals(List.of("lower2"), labels(u.visible("/l2")));
    }

    @Test
    @DisplayName("A file on top hides a directory of the same name below (and its children)")
    void resolve_fileOverDirectory_hidesDirectory() throws IOException {
      UnionFixture u = stack().file("upper", "x").file("lower1", "x/child").build();

      Resolution.Visible x = u.visible("/x");
      assertFalse(x.isDirectory());
      assertEquals(List.of("upper"), labels(x));
      Resolution child = u.resolve("/x/child");
      assertInstanceOf(Resolution.Missing.class, child);
      assertErrno(Errno.ENOTDIR, child::requireVisible);
    }

    @Test
    @DisplayName("A directory on top hides a file of the same name below: the merge stops at the file")
    void resolve_directoryOverFile_stopsAtFile() throws IOException {
      UnionFixture u = stack().lowers(3)
          .file("upper", "d/u").file("lower1", "d", "file in lower1").file("lower2", "d/l2").build();

      Resolution.Visible d = u.visible("/d");
      assertTrue(d.isDirectory());
      assertEquals(List.of("upper"), labels(d));
      assertEquals(List.of("u"), u.names("/d"));
    }

    @Test
    @DisplayName("Directories of one name merge over three layers, top first, and each child comes from its topmost branch")
    void resolve_directoryInThreeLayers_merges() throws IOException {
      UnionFixture u = stack()
          .file("upper", "d/common").file("lower1", "d/common").file("lower2", "d/common")
          .file("lower1", "d/one").file("lower2", "d/two").file("lower2", "d/sub/deep")
          .build();

      Resolution.Visible d = u.visible("/d");
      assertEquals(List.of("upper", "lower1", "lower2"), labels(d));
      assertEquals(u.branch("lower1").resolve("d"), d.layers().get(1).path());
      assertEquals("upper", u.content("/d/common"));
      assertEquals("lower1", u.content("/d/one"));
      assertEquals("lower2", u.content("/d/two"));
      assertEquals("lower2", u.content("/d/sub/deep"));
      assertTrue(d.inUpper());
      assertTrue(d.hasLowerLayers());
    }

    @Test
    @DisplayName("The root merges all branch roots")
    void root_mergesAllBranches() throws IOException {
      UnionFixture u = stack().lowers(3).build();

      Resolution.Visible root = u.lookup().root();
      assertEquals(List.of("upper", "lower1", "lower2", "lower3"), labels(root));
      assertEquals(UnionPath.ROOT, root.path());
      assertTrue(root.dependsOnLowers());
    }

    @Test
    @DisplayName("A symlink resolves as itself (lookup never follows it)")
    void resolve_symlink_notFollowed() throws IOException {
      UnionFixture u = stack().file("lower1", "target").symlink("lower1", "link", "target").build();

      assertEquals(FileKind.SYMLINK, u.visible("/link").kind());
      assertInstanceOf(Resolution.Missing.class, u.resolve("/link/x"));
    }
  }

  @Nested
  @DisplayName("whiteouts and opaque directories")
  class Hiding {

    @Test
    @DisplayName("A whiteout in the upper hides a lower file, a lower directory and everything below it")
    void resolve_whiteoutInUpper_hidesAllBelow() throws IOException {
      UnionFixture u = stack().whiteout("upper", "f").whiteout("upper", "d")
          .file("lower1", "f").file("lower2", "d/x").build();

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/f"));
      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));
      Resolution below = u.resolve("/d/x");
      assertInstanceOf(Resolution.Missing.class, below);
      assertErrno(Errno.ENOENT, below::requireVisible);
      assertErrno(Errno.ENOENT, () -> u.resolve("/f").requireVisible());
    }

    @Test
    @DisplayName("A whiteout in a middle lower hides only what lies below it; the upper's object still shows")
    void resolve_whiteoutInMiddleLower_hidesBelowOnly() throws IOException {
      UnionFixture u = stack().lowers(3)
          .whiteout("lower2", "f").file("lower3", "f")
          .file("upper", "g").whiteout("lower1", "g").file("lower2", "g")
          .file("upper", "d/u").whiteout("lower1", "d").file("lower2", "d/hidden")
          .build();

      assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/f"));
      assertEquals("upper", u.content("/g"));
      assertEquals(List.of("upper"), labels(u.visible("/d")));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/d/hidden"));
    }

    @Test
    @DisplayName("A whited-out name keeps its visible parent, so a create there can replace the whiteout")
    void resolve_whitedOut_carriesParent() throws IOException {
      UnionFixture u = stack().file("lower1", "d/f").whiteout("upper", "d/f").build();

      Resolution r = u.resolve("/d/f");
      assertInstanceOf(Resolution.WhitedOut.class, r);
      assertEquals(UnionPath.of("/d"), r.requireParent().path());
      r.requireAbsent(); // no exception: the name may be created
    }

    @Test
    @DisplayName("An opaque upper directory is the only layer: lower children are missing")
    void resolve_opaqueUpperDir_stopsMerge() throws IOException {
      UnionFixture u = stack().opaque("upper", "d").file("upper", "d/u").file("lower1", "d/l").build();

      Resolution.Visible d = u.visible("/d");
      assertTrue(d.opaque());
      assertEquals(List.of("upper"), labels(d));
      assertEquals("upper", u.content("/d/u"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/d/l"));
    }

    @Test
    @DisplayName("An opaque directory in a middle lower merges with the layers above it and stops there")
    void resolve_opaqueMiddleLower_stopsBelowIt() throws IOException {
      UnionFixture u = stack().lowers(3)
          .file("upper", "d/u").opaque("lower2", "d").file("lower2", "d/l2").file("lower3", "d/l3")
          .build();

      assertEquals(List.of("upper", "lower2"), labels(u.visible("/d")));
      assertEquals("lower2", u.content("/d/l2"));
      assertInstanceOf(Resolution.Missing.class, u.resolve("/d/l3"));
    }

    @Test
    @DisplayName("aufs: an object beside its own whiteout stays visible and nothing below merges with it")
    void resolve_objectBesideOwnWhiteout_hidesBelow() throws IOException {
      UnionFixture u = stack().file("upper", "d/u").whiteout("upper", "d").file("lower1", "d/l")
          .build();
      // the whiteout step replaced the directory; put it back beside the marker, as a crash
      // between the two steps of AufsFormat.replaceWhiteout leaves it
      io.mkdir(u.branch("upper").resolve("d"), 0755);

      Resolution.Visible d = u.visible("/d");
      assertEquals(List.of("upper"), labels(d));
      assertTrue(d.opaque());
      assertInstanceOf(Resolution.Missing.class, u.resolve("/d/l"));
    }

    @Test
    @DisplayName("Internal names (.wh.* and the work directory at the root) are missing, even where they exist")
    void resolve_internalNames_missing() throws IOException {
      UnionFixture u = stack().whiteout("upper", "f").file("lower1", "f").opaque("lower1", "o")
          .file("lower1", "d/" + UnionFixture.WORK_NAME).build();

      for (String p : List.of("/.wh.f", "/o/.wh..wh..opq", "/" + UnionFixture.WORK_NAME,
          "/" + UnionFixture.WORK_NAME + "/tmp")) {
        Resolution r = u.resolve(p);
        assertInstanceOf(Resolution.Missing.class, r, p);
        assertErrno(Errno.ENOENT, r::requireVisible);
      }
      assertTrue(u.lookup().isInternal(UnionPath.ROOT, UnionFixture.WORK_NAME));
      assertEquals("lower1", u.content("/d/" + UnionFixture.WORK_NAME), "the work name is internal only at the root");
    }

    @Test
    @DisplayName("Below a file the answer is ENOTDIR (also two levels down); below a missing name ENOENT")
    void resolve_belowFileOrMissing_errnos() throws IOException {
      UnionFixture u = stack().file("lower1", "f").build();

      assertErrno(Errno.ENOTDIR, () -> u.resolve("/f/x").requireVisible());
      assertErrno(Errno.ENOTDIR, () -> u.resolve("/f/x/y").requireVisible());
      assertErrno(Errno.ENOTDIR, () -> u.resolve("/f/x").requireAbsent());
      assertErrno(Errno.ENOENT, () -> u.resolve("/nope/x").requireVisible());
      assertErrno(Errno.ENOENT, () -> u.resolve("/nope/x").requireParent());
      assertErrno(Errno.ENOTDIR, () -> u.resolve("/f").requireDirectory());
      assertErrno(Errno.EEXIST, () -> u.resolve("/f").requireAbsent());
    }
  }

  @Test
  @DisplayName("lowerHasName: true when a lower has the name, false when a lower whiteout hides it first")
  void lowerHasName_respectsWhiteouts() throws IOException {
    UnionFixture u = stack().file("upper", "a").file("lower2", "a")
        .file("upper", "b").whiteout("lower1", "b").file("lower2", "b")
        .file("upper", "c").build();
    Resolution.Visible root = u.lookup().root();

    assertTrue(u.lookup().lowerHasName(root, "a"));
    assertFalse(u.lookup().lowerHasName(root, "b"));
    assertFalse(u.lookup().lowerHasName(root, "c"));
  }

  @Nested
  @DisplayName("dependsOnLowers (the cache rule of DESIGN §4)")
  class DependsOnLowers {

    @Test
    @DisplayName("An upper file is decided by the upper alone")
    void upperFile_false() throws IOException {
      UnionFixture u = stack().file("upper", "f").file("lower1", "f").file("upper", "d/g").build();
      assertFalse(u.visible("/f").dependsOnLowers());
      assertFalse(u.visible("/d/g").dependsOnLowers());
    }

    @Test
    @DisplayName("An opaque upper directory is decided by the upper alone, and so is a name missing under it")
    void upperOpaqueDir_false() throws IOException {
      UnionFixture u = stack().opaque("upper", "d").file("lower1", "d/x").build();
      assertFalse(u.visible("/d").dependsOnLowers());
      Resolution missing = u.resolve("/d/x");
      assertInstanceOf(Resolution.Missing.class, missing);
      assertFalse(missing.dependsOnLowers());
    }

    @Test
    @DisplayName("A whiteout in the upper is decided by the upper alone")
    void upperWhiteout_false() throws IOException {
      UnionFixture u = stack().whiteout("upper", "f").file("lower1", "f").build();
      assertFalse(u.resolve("/f").dependsOnLowers());
    }

    @Test
    @DisplayName("A merged directory, a lower file, a lower whiteout and a missing name under a merged directory depend on lowers")
    void lowerDecided_true() throws IOException {
      UnionFixture u = stack().file("upper", "d/u").file("lower1", "d/l").file("lower1", "f")
          .whiteout("lower1", "w").file("lower2", "w").build();
      assertTrue(u.visible("/d").dependsOnLowers());
      assertTrue(u.visible("/d/l").dependsOnLowers());
      assertTrue(u.visible("/f").dependsOnLowers());
      assertTrue(u.resolve("/w").dependsOnLowers());
      Resolution missing = u.resolve("/d/nothing");
      assertInstanceOf(Resolution.Missing.class, missing);
      assertTrue(missing.dependsOnLowers());
    }

    @Test
    @DisplayName("An upper-only directory under a merged root may still be joined by a lower: it depends on lowers")
    void upperOnlyDirUnderMergedParent_true() throws IOException {
      UnionFixture u = stack().dir("upper", "d").build();
      assertTrue(u.visible("/d").dependsOnLowers());
    }

    @Test
    @DisplayName("Internal names never depend on lowers")
    void internalName_false() throws IOException {
      UnionFixture u = stack().build();
      assertFalse(u.resolve("/.wh.x").dependsOnLowers());
    }

    @Test
    @DisplayName("An opaque upper directory inside an upper-only directory is reported opaque and upper-decided")
    void opaqueDirUnderUpperOnlyParent_isOpaqueAndUpperDecided() throws IOException {
      UnionFixture u = stack().opaque("upper", "a/o").file("lower1", "elsewhere").build();
      Resolution.Visible o = u.visible("/a/o");
      assertTrue(u.format().isOpaque(io, u.branch("upper").resolve("a/o")), "fixture: marker is there");
      // Resolution.Visible documents opaque as "the top layer is a directory marked opaque" and
      // dependsOnLowers as false for "an opaque upper directory"
      assertTrue(o.opaque(), "opaque flag of a marked-opaque upper directory");
      assertFalse(o.dependsOnLowers(), "an opaque upper directory is decided by the upper alone");
    }
  }

  @Test
  @DisplayName("step refuses a non-directory parent with ENOTDIR and no parent")
  void step_nonDirectoryParent_enotdir() throws IOException {
    UnionFixture u = stack().file("upper", "f").build();
    Resolution r = u.lookup().step(u.visible("/f"), "x");
    assertInstanceOf(Resolution.Missing.class, r);
    assertEquals(Errno.ENOTDIR, ((Resolution.Missing) r).errno());
    assertNull(((Resolution.Missing) r).parent());
    assertSame(u.lookup().stack(), u.stack());
  }
}
