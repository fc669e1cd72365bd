package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WhiteoutFormat} must do, as seen through the union (DESIGN.md §2, §3).
 *
 * <p>An implementing test class supplies the branch I/O, the format and a fresh empty directory
 * per test: {@code AufsFormatContractTest} runs it on Jimfs with {@link NioBranchIo}; module
 * unionfs-java runs it for the overlay format with its native I/O on a real temporary directory
 * (this interface ships in whiteout-model's test-jar).
 */
public interface WhiteoutFormatContract {

  /** The branch I/O under test. */
  BranchIo branchIo();

  /** The format under test. */
  WhiteoutFormat whiteoutFormat();

  /** A fresh, empty directory for this test's branches. */
  Path tempRoot() throws IOException;

  /** A builder for a stack of this format in {@link #tempRoot()}. */
  default UnionFixture.Builder stack() throws IOException {
    return UnionFixture.builder(tempRoot(), branchIo(), whiteoutFormat());
  }

  @Test
  @DisplayName("A whiteout in the upper hides a lower file: the name resolves as whited out and is not listed")
  default void lookup_whiteoutInUpper_hidesLowerFile() throws IOException {
    UnionFixture u = stack().file("lower1", "f").file("lower1", "g").whiteout("upper", "f").build();

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/f"));
    assertEquals(List.of("g"), u.names("/"));
  }

  @Test
  @DisplayName("A whiteout in a middle lower hides the name in the lowers below it")
  default void lookup_whiteoutInMiddleLower_hidesBottomFile() throws IOException {
    UnionFixture u = stack().whiteout("lower1", "f").file("lower2", "f").file("lower2", "g").build();

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/f"));
    assertEquals(List.of("g"), u.names("/"));
  }

  @Test
  @DisplayName("unlink of a file only in a lower leaves a whiteout in the upper and the lower unchanged")
  default void unlink_fileOnlyInLower_createsWhiteout() throws IOException {
    UnionFixture u = stack().file("lower1", "d/f").file("lower1", "d/g").build();
    Map<String, String> before = u.snapshot("lower1");

    u.unlink("/d/f");

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d/f"));
    assertInstanceOf(WhiteoutFormat.Whiteout.class, u.raw("upper", "d", "f"));
    assertEquals(List.of("g"), u.names("/d"));
    assertEquals(before, u.snapshot("lower1"));
  }

  @Test
  @DisplayName("unlink of an upper-only file needs no whiteout: nothing is left in the upper")
  default void unlink_fileOnlyInUpper_leavesNothing() throws IOException {
    UnionFixture u = stack().file("upper", "d/f").file("lower1", "d/g").build();

    u.unlink("/d/f");

    assertInstanceOf(Resolution.Missing.class, u.resolve("/d/f"));
    assertInstanceOf(WhiteoutFormat.Absent.class, u.raw("upper", "d", "f"));
    List<String> rawNames = u.io().list(u.branch("upper").resolve("d")).stream().map(DirEntry::name).toList();
    assertEquals(List.of(), rawNames, "the upper directory holds neither the file nor a marker");
  }

  @Test
  @DisplayName("A file created over a whiteout replaces it: the new content shows, nothing of the lower")
  default void create_overWhiteout_showsOnlyTheNewFile() throws IOException {
    UnionFixture u = stack().file("lower1", "f").build();
    u.unlink("/f");

    u.createFile("/f", "new");

    Resolution.Visible f = u.visible("/f");
    assertEquals("new", u.content("/f"));
    assertEquals("upper", u.provenance("/f"));
    assertEquals(1, f.layers().size());
    assertEquals(List.of("f"), u.names("/"));
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("A directory made over a whiteout in the upper is opaque: the lower directory's children stay hidden")
  default void mkdir_overWhiteoutInUpper_isOpaqueAndEmpty() throws IOException {
    UnionFixture u = stack().file("lower1", "d/x").whiteout("upper", "d").build();

    u.mkdir("/d");

    Resolution.Visible d = u.visible("/d");
    assertTrue(d.isDirectory());
    assertTrue(u.format().isOpaque(u.io(), u.branch("upper").resolve("d")));
    assertEquals(List.of(), u.names("/d"));
    assertInstanceOf(Resolution.Missing.class, u.resolve("/d/x"));
    assertFalse(d.hasLowerLayers());
  }

  @Test
  @DisplayName("A directory made over a whiteout that lies in a middle lower is opaque and empty")
  default void mkdir_overWhiteoutInMiddleLower_isOpaqueAndEmpty() throws IOException {
    UnionFixture u = stack().whiteout("lower1", "d").file("lower2", "d/x").build();
    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));

    assertDoesNotThrow(() -> u.mkdir("/d"), "mkdir over a whiteout that lies in a middle lower");

    assertTrue(u.visible("/d").isDirectory());
    assertTrue(u.format().isOpaque(u.io(), u.branch("upper").resolve("d")));
    assertEquals(List.of(), u.names("/d"));
    assertInstanceOf(Resolution.Missing.class, u.resolve("/d/x"));
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("A file created over a whiteout that lies in a middle lower shows its new content only")
  default void create_overWhiteoutInMiddleLower_showsNewFile() throws IOException {
    UnionFixture u = stack().whiteout("lower1", "f").file("lower2", "f").build();

    u.createFile("/f", "new");

    assertEquals("new", u.content("/f"));
    assertEquals(List.of("f"), u.names("/"));
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("A hard link made over a whiteout replaces it; both names show the copied-up file")
  default void link_overWhiteout_replacesIt() throws IOException {
    UnionFixture u = stack().file("lower1", "src").file("lower1", "dst").whiteout("upper", "dst").build();

    u.namespace().link(u.visible("/src"), u.resolve("/dst"));

    assertEquals("lower1", u.content("/dst"));
    assertEquals(u.visible("/src").stat().ino(), u.visible("/dst").stat().ino());
    assertEquals(List.of("dst", "src"), u.names("/").stream().sorted().toList());
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("unlink of a copied-up file whose name a lower has replaces the upper copy by a whiteout")
  default void unlink_copiedUpFile_whiteoutReplacesCopy() throws IOException {
    UnionFixture u = stack().file("upper", "f").file("lower2", "f").build();

    u.unlink("/f");

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/f"));
    assertInstanceOf(WhiteoutFormat.Whiteout.class, u.raw("upper", "", "f"));
    assertEquals(List.of(), u.names("/"));
  }

  @Test
  @DisplayName("rmdir of an opaque directory made over a whiteout brings the whiteout back, lower children stay hidden")
  default void rmdir_opaqueDirOverLowerDir_whiteoutAgain() throws IOException {
    UnionFixture u = stack().file("lower1", "d/old").whiteout("upper", "d").build();
    u.mkdir("/d");
    u.createFile("/d/new", "new");
    u.unlink("/d/new");

    u.rmdir("/d");

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));
    assertInstanceOf(WhiteoutFormat.Whiteout.class, u.raw("upper", "", "d"));
    assertEquals(List.of(), u.names("/"));
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("An upper-only directory renamed onto a whited-out name of a lower directory is opaque there")
  default void rename_upperDirOntoWhitedOutLowerDir_opaque() throws IOException {
    UnionFixture u = stack().file("upper", "src/mine").file("lower1", "dst/old").whiteout("upper", "dst").build();

    u.rename("/src", "/dst");

    assertInstanceOf(Resolution.Missing.class, u.resolve("/src"));
    assertEquals(List.of("mine"), u.names("/dst"));
    assertInstanceOf(Resolution.Missing.class, u.resolve("/dst/old"));
    assertEquals(List.of("dst"), u.names("/"));
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("Merged listings never show markers, whiteouts, the names they hide or the work directory")
  default void readdir_markersAndWhiteouts_neverListed() throws IOException {
    UnionFixture u = stack()
        .file("upper", "a").whiteout("upper", "b").opaque("upper", "o").file("upper", "o/in")
        .file("lower1", "b").file("lower1", "c").whiteout("lower1", "e").file("lower1", "o/hidden")
        .file("lower2", "a").file("lower2", "c").file("lower2", "e").file("lower2", "z")
        .build();

    List<String> names = u.names("/");
    assertEquals(List.of("a", "c", "o", "z"), names.stream().sorted().toList());
    assertEquals(List.of("a", "o"), names.subList(0, 2).stream().sorted().toList(), "upper names first");
    assertEquals(List.of("in"), u.names("/o"));
    for (MergedEntry e : u.merger().list(u.visible("/"))) {
      assertFalse(u.format().isInternalName(e.name()), e.name());
    }
  }

  @Test
  @DisplayName("An opaque directory in the upper stops the merge: lower children are neither listed nor found")
  default void lookup_opaqueUpperDir_stopsMerge() throws IOException {
    UnionFixture u = stack().opaque("upper", "d").file("upper", "d/u").file("lower1", "d/l").file("lower2", "d/m").build();

    Resolution.Visible d = u.visible("/d");
    assertTrue(d.opaque());
    assertEquals(1, d.layers().size());
    assertEquals(List.of("u"), u.names("/d"));
    assertInstanceOf(Resolution.Missing.class, u.resolve("/d/l"));
  }

  @Test
  @DisplayName("An opaque directory in a middle lower merges with the branches above it, not below")
  default void lookup_opaqueMiddleLowerDir_stopsMergeBelow() throws IOException {
    UnionFixture u = stack().file("upper", "d/u").opaque("lower1", "d").file("lower1", "d/l").file("lower2", "d/m").build();

    assertEquals(List.of("upper", "lower1"),
        u.visible("/d").layers().stream().map(l -> l.branch().label()).toList());
    assertEquals(List.of("u", "l"), u.names("/d"));
    assertInstanceOf(Resolution.Missing.class, u.resolve("/d/m"));
  }

  @Test
  @DisplayName("rename of a lower file copies it up under the new name and leaves a whiteout at the old one")
  default void rename_fileFromLower_leavesWhiteout() throws IOException {
    UnionFixture u = stack().file("lower1", "a").build();
    Map<String, String> before = u.snapshot("lower1");

    u.rename("/a", "/b");

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/a"));
    assertInstanceOf(WhiteoutFormat.Whiteout.class, u.raw("upper", "", "a"));
    assertEquals("lower1", u.content("/b"));
    assertEquals("upper", u.provenance("/b"));
    assertEquals(List.of("b"), u.names("/"));
    assertEquals(before, u.snapshot("lower1"));
    assertEquals(List.of(), u.temps());
  }

  @Test
  @DisplayName("rename of a copied-up file whose name a lower still has leaves a whiteout; of an upper-only file, none")
  default void rename_upperFile_whiteoutOnlyWhereALowerHasTheName() throws IOException {
    UnionFixture u = stack().file("upper", "shadow").file("lower2", "shadow").file("upper", "mine").build();

    u.rename("/shadow", "/s2");
    u.rename("/mine", "/m2");

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/shadow"));
    assertInstanceOf(Resolution.Missing.class, u.resolve("/mine"));
    assertInstanceOf(WhiteoutFormat.Absent.class, u.raw("upper", "", "mine"));
    assertEquals("upper", u.content("/s2"));
    assertEquals("upper", u.content("/m2"));
  }

  @Test
  @DisplayName("rmdir of a merged directory whose lower names were all unlinked leaves a whiteout and no upper directory")
  default void rmdir_mergedDirEmptiedByUnlinks_leavesWhiteout() throws IOException {
    UnionFixture u = stack().file("lower1", "d/x").file("lower2", "d/y").build();
    u.unlink("/d/x");
    u.unlink("/d/y");

    u.rmdir("/d");

    assertInstanceOf(Resolution.WhitedOut.class, u.resolve("/d"));
    assertInstanceOf(WhiteoutFormat.Whiteout.class, u.raw("upper", "", "d"));
    assertEquals(List.of(), u.names("/"));
    assertEquals(List.of(), u.temps());
    assertTrue(u.existsIn("lower1", "d/x") && u.existsIn("lower2", "d/y"));
  }
}
