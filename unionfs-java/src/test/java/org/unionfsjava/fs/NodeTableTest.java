package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;

/** The node ids handed to the kernel: paths follow renames, counts follow the kernel's references. */
@DisplayName("NodeTable: node ids, paths and kernel references")
class NodeTableTest {
  private static final int DIR = 0040755;
  private static final int FILE = 0100644;
  private final NodeTable nodes = new NodeTable();

  @Test
  void lookedUp_sameObjectTwice_oneNodeTwoReferences() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 10, FILE, 1);
    NodeTable.Node again = nodes.lookedUp(NodeTable.ROOT, "a", 10, FILE, 1);
    assertSame(a, again);
    assertEquals(UnionPath.of("/a"), nodes.path(a.id));
    nodes.forget(a.id, 1);
    assertEquals(UnionPath.of("/a"), nodes.path(a.id), "one reference left");
    nodes.forget(a.id, 1);
    assertThrows(UnionException.class, () -> nodes.path(a.id), "forgotten");
    assertEquals(1, nodes.size(), "only the root is left");
  }

  @Test
  void lookedUp_otherObjectAtTheName_newNodeAndTheOldOneDetached() throws UnionException {
    NodeTable.Node old = nodes.lookedUp(NodeTable.ROOT, "a", 10, FILE, 1);
    NodeTable.Node replaced = nodes.lookedUp(NodeTable.ROOT, "a", 11, FILE, 1);
    NodeTable.Node retyped = nodes.lookedUp(NodeTable.ROOT, "a", 11, DIR, 1);
    assertNotEquals(old.id, replaced.id);
    assertNotEquals(replaced.id, retyped.id, "a node never changes its file type");
    assertEquals(Errno.ENOENT, assertThrows(UnionException.class, () -> nodes.path(old.id)).errno());
    assertEquals(UnionPath.of("/a"), nodes.path(retyped.id));
  }

  @Test
  void moved_directory_pathsBelowItFollow() throws UnionException {
    NodeTable.Node d = nodes.lookedUp(NodeTable.ROOT, "d", 2, DIR, 1);
    NodeTable.Node f = nodes.lookedUp(d.id, "f", 3, FILE, 1);
    NodeTable.Node e = nodes.lookedUp(NodeTable.ROOT, "e", 4, DIR, 1);
    assertEquals(UnionPath.of("/d/f"), nodes.path(f.id));
    nodes.moved(NodeTable.ROOT, "d", e.id, "d2");
    assertEquals(UnionPath.of("/e/d2/f"), nodes.path(f.id));
    assertNull(nodes.at(NodeTable.ROOT, "d"));
    assertSame(f, nodes.at(d.id, "f"));
  }

  @Test
  void moved_overAnExistingName_thatNodeIsDetached() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 5, FILE, 1);
    NodeTable.Node b = nodes.lookedUp(NodeTable.ROOT, "b", 6, FILE, 1);
    nodes.moved(NodeTable.ROOT, "a", NodeTable.ROOT, "b");
    assertEquals(UnionPath.of("/b"), nodes.path(a.id));
    assertEquals(Errno.ENOENT, assertThrows(UnionException.class, () -> nodes.path(b.id)).errno());
    assertNull(nodes.pathIfAttached(b.id));
  }

  @Test
  void exchanged_directoryAndFile_pathsBelowFollowBothWays() throws UnionException {
    NodeTable.Node d = nodes.lookedUp(NodeTable.ROOT, "d", 2, DIR, 1);
    NodeTable.Node f = nodes.lookedUp(d.id, "f", 3, FILE, 1);
    NodeTable.Node e = nodes.lookedUp(NodeTable.ROOT, "e", 4, DIR, 1);
    NodeTable.Node g = nodes.lookedUp(e.id, "g", 5, FILE, 1);
    assertEquals(UnionPath.of("/d/f"), nodes.path(f.id));
    nodes.exchanged(NodeTable.ROOT, "d", e.id, "g");
    assertEquals(UnionPath.of("/e/g"), nodes.path(d.id));
    assertEquals(UnionPath.of("/e/g/f"), nodes.path(f.id));
    assertEquals(UnionPath.of("/d"), nodes.path(g.id));
    assertSame(g, nodes.at(NodeTable.ROOT, "d"));
    assertSame(d, nodes.at(e.id, "g"));
  }

  @Test
  void exchanged_oneNameNotHeld_theOtherMovesThere_twoNamesOfOneFileStay() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 5, FILE, 1);
    nodes.exchanged(NodeTable.ROOT, "a", NodeTable.ROOT, "unknown");
    assertEquals(UnionPath.of("/unknown"), nodes.path(a.id));
    assertNull(nodes.at(NodeTable.ROOT, "a"));
    NodeTable.Node l1 = nodes.lookedUp(NodeTable.ROOT, "l1", 9, FILE, 2);
    NodeTable.Node l2 = nodes.lookedUp(NodeTable.ROOT, "l2", 9, FILE, 2);
    assertSame(l1, l2);
    nodes.exchanged(NodeTable.ROOT, "l1", NodeTable.ROOT, "l2");
    assertSame(l1, nodes.at(NodeTable.ROOT, "l1"));
    assertSame(l1, nodes.at(NodeTable.ROOT, "l2"));
  }

  @Test
  void removed_directory_nodesBelowHaveNoPath() throws UnionException {
    NodeTable.Node d = nodes.lookedUp(NodeTable.ROOT, "d", 2, DIR, 1);
    NodeTable.Node f = nodes.lookedUp(d.id, "f", 3, FILE, 1);
    nodes.removed(NodeTable.ROOT, "d");
    assertNull(nodes.pathIfAttached(f.id));
    assertNull(nodes.pathIfAttached(d.id));
  }

  @Test
  void handles_countedPerNode_reachableAfterDetach() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 5, FILE, 1);
    nodes.opened(a.id, 100);
    nodes.opened(a.id, 101);
    assertEquals(2, nodes.openCount(NodeTable.ROOT, "a"));
    nodes.removed(NodeTable.ROOT, "a");
    assertEquals(100, nodes.anyHandle(a.id), "a detached node is still reachable through a handle");
    assertEquals(1, nodes.released(a.id, 100));
    assertEquals(101, nodes.anyHandle(a.id));
    assertEquals(0, nodes.released(a.id, 101));
    assertEquals(-1, nodes.anyHandle(a.id));
  }

  @Test
  void sameDataAsLastOpen_changesAreNoticed() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 5, FILE, 1);
    assertEquals(false, nodes.sameDataAsLastOpen(a.id, 1000, 10), "nothing cached at the first open");
    assertEquals(true, nodes.sameDataAsLastOpen(a.id, 1000, 10));
    assertEquals(false, nodes.sameDataAsLastOpen(a.id, 2000, 10), "mtime changed");
    assertEquals(false, nodes.sameDataAsLastOpen(a.id, 2000, 11), "size changed");
  }

  @Test
  void root_isNeverForgotten_andUnknownIdsAreStale() throws UnionException {
    nodes.forget(NodeTable.ROOT, 5);
    assertEquals(UnionPath.ROOT, nodes.path(NodeTable.ROOT));
    assertEquals(Errno.ESTALE, assertThrows(UnionException.class, () -> nodes.path(999)).errno());
  }

  @Test
  void manyNodes_tablesGrow_everyNodeFoundAndForgotten() throws UnionException {
    NodeTable.Node[] dirs = new NodeTable.Node[50];
    for (int d = 0; d < dirs.length; d++) {
      dirs[d] = nodes.lookedUp(NodeTable.ROOT, "d" + d, d + 2, DIR, 1);
    }
    NodeTable.Node[] files = new NodeTable.Node[20_000];
    for (int i = 0; i < files.length; i++) {
      files[i] = nodes.lookedUp(dirs[i % dirs.length].id, "f" + i, 1000 + i, FILE, 1);
    }
    assertEquals(1 + dirs.length + files.length, nodes.size());
    nodes.moved(NodeTable.ROOT, "d7", NodeTable.ROOT, "seven");
    for (int i = 0; i < files.length; i++) {
      String dir = i % dirs.length == 7 ? "seven" : "d" + (i % dirs.length);
      assertEquals(UnionPath.of("/" + dir + "/f" + i), nodes.path(files[i].id));
      assertSame(files[i], nodes.at(dirs[i % dirs.length].id, "f" + i));
    }
    for (NodeTable.Node f : files) {
      nodes.forget(f.id, 1);
    }
    for (NodeTable.Node d : dirs) {
      nodes.forget(d.id, 1);
    }
    assertEquals(1, nodes.size(), "only the root is left");
    assertNull(nodes.at(dirs[0].id, "f0"));
  }

  @Test
  void hardLinks_oneNodePerFile_itsPathSurvivesAsLongAsOneName() throws UnionException {
    NodeTable.Node d = nodes.lookedUp(NodeTable.ROOT, "d", 2, DIR, 2);
    NodeTable.Node a = nodes.lookedUp(d.id, "a", 7, FILE, 2);
    NodeTable.Node b = nodes.lookedUp(NodeTable.ROOT, "b", 7, FILE, 2);
    assertSame(a, b, "two names of one file: one node");
    assertSame(a, nodes.at(NodeTable.ROOT, "b"));
    assertEquals(UnionPath.of("/d/a"), nodes.path(a.id));
    nodes.removed(d.id, "a");
    assertEquals(UnionPath.of("/b"), nodes.path(a.id), "the other name took over");
    assertNull(nodes.at(d.id, "a"));
    nodes.moved(NodeTable.ROOT, "b", d.id, "c");
    assertEquals(UnionPath.of("/d/c"), nodes.path(a.id));
    nodes.removed(d.id, "c");
    assertNull(nodes.pathIfAttached(a.id), "no name left");
    NodeTable.Node again = nodes.lookedUp(NodeTable.ROOT, "e", 7, FILE, 2);
    assertSame(a, again, "a name found again for a node without names becomes its own");
    assertEquals(UnionPath.of("/e"), nodes.path(a.id));
  }

  @Test
  void hardLinks_singleLinkFilesAndDirectoriesNeverShareNodes() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 7, FILE, 1);
    NodeTable.Node b = nodes.lookedUp(NodeTable.ROOT, "b", 7, FILE, 1);
    assertNotEquals(a.id, b.id, "nlink 1: not looked for");
    NodeTable.Node d1 = nodes.lookedUp(NodeTable.ROOT, "d1", 9, DIR, 2);
    NodeTable.Node d2 = nodes.lookedUp(NodeTable.ROOT, "d2", 9, DIR, 2);
    assertNotEquals(d1.id, d2.id, "directories have one name");
  }

  @Test
  void hardLinks_linkToASingleLinkFile_joinsItsNode() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 7, FILE, 1);
    nodes.mayHaveLinks(a.id);
    NodeTable.Node b = nodes.lookedUp(NodeTable.ROOT, "b", 7, FILE, 2);
    assertSame(a, b);
    nodes.forget(a.id, 2);
    assertNull(nodes.at(NodeTable.ROOT, "a"));
    assertNull(nodes.at(NodeTable.ROOT, "b"), "forgotten with all its names");
    NodeTable.Node fresh = nodes.lookedUp(NodeTable.ROOT, "b", 7, FILE, 2);
    assertNotEquals(a.id, fresh.id, "a forgotten node is not found by its inode number");
  }

  @Test
  void hiddenName_foundAmongTheNodesNames() throws UnionException {
    NodeTable.Node a = nodes.lookedUp(NodeTable.ROOT, "a", 7, FILE, 2);
    nodes.lookedUp(NodeTable.ROOT, "b", 7, FILE, 2);
    assertNull(nodes.nameStartingWith(a.id, ".fuse_hidden"));
    nodes.moved(NodeTable.ROOT, "b", NodeTable.ROOT, ".fuse_hidden0001");
    assertEquals(new NodeTable.HiddenName(NodeTable.ROOT, ".fuse_hidden0001"), nodes.nameStartingWith(a.id, ".fuse_hidden"));
  }
}
