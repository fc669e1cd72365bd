package org.unionfsjava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.model.UnionFixture.assertErrno;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("UnionPath")
class UnionPathTest {

  @Test
  @DisplayName("\"/\", \"\" and null are the root, which has no name, no components and itself as parent")
  void of_rootForms_areRoot() throws UnionException {
    assertSame(UnionPath.ROOT, UnionPath.of("/"));
    assertSame(UnionPath.ROOT, UnionPath.of(""));
    assertSame(UnionPath.ROOT, UnionPath.of(null));
    assertSame(UnionPath.ROOT, UnionPath.of("///"));
    assertTrue(UnionPath.ROOT.isRoot());
    assertEquals("", UnionPath.ROOT.name());
    assertEquals(0, UnionPath.ROOT.depth());
    assertArrayEquals(new String[0], UnionPath.ROOT.components());
    assertEquals(UnionPath.ROOT, UnionPath.ROOT.parent());
    assertEquals("/", UnionPath.ROOT.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a/b", "a/b", "//a//b", "/a/b/", "a//b///"})
  @DisplayName("Repeated, leading and trailing slashes fold to one normal form")
  void of_slashVariants_normalise(String input) throws UnionException {
    UnionPath p = UnionPath.of(input);
    assertEquals("a/b", p.relative());
    assertEquals("/a/b", p.toString());
    assertEquals(UnionPath.of("/a/b"), p);
    assertEquals(UnionPath.of("/a/b").hashCode(), p.hashCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/.", "/..", "/a/./b", "/a/../b", "a/..", "/a/b/.", "./a", "/a//../b"})
  @DisplayName("A '.' or '..' component is refused with EINVAL, wherever it stands")
  void of_dotComponents_refused(String input) {
    assertErrno(Errno.EINVAL, () -> UnionPath.of(input));
  }

  @Test
  @DisplayName("Names that merely contain dots are ordinary names")
  void of_namesWithDots_accepted() throws UnionException {
    assertEquals("...", UnionPath.of("/...").name());
    assertEquals(".hidden", UnionPath.of("/a/.hidden").name());
    assertEquals("..x", UnionPath.of("/..x").name());
  }

  @Test
  @DisplayName("NAME_MAX counts bytes: 255 ASCII bytes pass, 256 fail with ENAMETOOLONG")
  void of_asciiNameAtNameMax_boundary() throws UnionException {
    assertEquals(255, UnionPath.of("/" + "a".repeat(255)).name().length());
    assertErrno(Errno.ENAMETOOLONG, () -> UnionPath.of("/" + "a".repeat(256)));
    assertErrno(Errno.ENAMETOOLONG, () -> UnionPath.of("/ok/" + "a".repeat(256) + "/x"));
  }

  @Test
  @DisplayName("NAME_MAX counts UTF-8 bytes of multibyte names, not chars (2-, 3- and 4-byte characters)")
  void of_multibyteNames_countedInUtf8Bytes() throws UnionException {
    String e2 = "é"; // 2 bytes
    String e3 = "€"; // 3 bytes
    String e4 = "😀"; // 4 bytes, a surrogate pair
    assertEquals(254, (e2.repeat(127)).getBytes(StandardCharsets.UTF_8).length);
    UnionPath.of("/" + e2.repeat(127));
    assertErrno(Errno.ENAMETOOLONG, () -> UnionPath.of("/" + e2.repeat(128)));
    UnionPath.of("/" + e3.repeat(85));
    assertErrno(Errno.ENAMETOOLONG, () -> UnionPath.of("/" + e3.repeat(86)));
    UnionPath.of("/" + e4.repeat(63) + "abc");
    assertErrno(Errno.ENAMETOOLONG, () -> UnionPath.of("/" + e4.repeat(64)));
    assertErrno(Errno.ENAMETOOLONG, () -> UnionPath.of("/" + e4.repeat(63) + "abcd"));
  }

  @Test
  @DisplayName("byteLength agrees with the name charset's encoder (UTF-8 in unit tests)")
  void byteLength_matchesEncoder() {
    String s = "aé€😀z";
    assertEquals(s.getBytes(StandardCharsets.UTF_8).length, UnionPath.byteLength(s, 0, s.length()));
  }

  @Test
  @DisplayName("startsWith is by whole components: /ab does not start with /a, /a/b does")
  void startsWith_wholeComponents() throws UnionException {
    UnionPath a = UnionPath.of("/a");
    assertTrue(UnionPath.of("/a/b").startsWith(a));
    assertTrue(UnionPath.of("/a/b/c").startsWith(UnionPath.of("/a/b")));
    assertTrue(a.startsWith(a));
    assertTrue(a.startsWith(UnionPath.ROOT));
    assertTrue(UnionPath.ROOT.startsWith(UnionPath.ROOT));
    assertFalse(UnionPath.of("/ab").startsWith(a));
    assertFalse(a.startsWith(UnionPath.of("/a/b")));
    assertFalse(UnionPath.ROOT.startsWith(a));
  }

  @Test
  @DisplayName("parent, name, child, components and depth walk the same structure")
  void parentChild_roundTrip() throws UnionException {
    UnionPath p = UnionPath.of("/a/b/c");
    assertEquals("c", p.name());
    assertEquals(UnionPath.of("/a/b"), p.parent());
    assertEquals(UnionPath.of("/a"), p.parent().parent());
    assertEquals(UnionPath.ROOT, p.parent().parent().parent());
    assertEquals(p, p.parent().child("c"));
    assertEquals(UnionPath.of("/x"), UnionPath.ROOT.child("x"));
    assertArrayEquals(new String[] {"a", "b", "c"}, p.components());
    assertEquals(3, p.depth());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "/", ".", ".."})
  @DisplayName("child refuses anything but a single valid component with EINVAL")
  void child_invalidNames_refused(String name) {
    assertErrno(Errno.EINVAL, () -> UnionPath.ROOT.child(name));
  }

  @Test
  @DisplayName("child refuses a name longer than NAME_MAX bytes with ENAMETOOLONG")
  void child_tooLong_refused() {
    assertErrno(Errno.ENAMETOOLONG, () -> UnionPath.ROOT.child("€".repeat(86)));
  }

  @Test
  @DisplayName("resolveIn places the path inside a branch root, the root being the branch root itself")
  void resolveIn_branchRoot() throws Exception {
    try (FileSystem fs = TestFileSystems.newUnix()) {
      Path root = fs.getPath("/branches/upper");
      assertEquals(root, UnionPath.ROOT.resolveIn(root));
      assertEquals(fs.getPath("/branches/upper/a/b"), UnionPath.of("/a/b").resolveIn(root));
    }
  }

  @Test
  @DisplayName("Ordering is by the relative string, so a parent sorts before its children")
  void compareTo_parentFirst() throws UnionException {
    assertTrue(UnionPath.of("/a").compareTo(UnionPath.of("/a/b")) < 0);
    assertTrue(UnionPath.ROOT.compareTo(UnionPath.of("/a")) < 0);
    assertEquals(0, UnionPath.of("a//b").compareTo(UnionPath.of("/a/b")));
  }
}
