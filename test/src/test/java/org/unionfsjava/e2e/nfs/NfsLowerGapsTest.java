package org.unionfsjava.e2e.nfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.nfs.support.Dirents;
import org.unionfsjava.e2e.nfs.support.LoopImage;
import org.unionfsjava.e2e.nfs.support.NfsLikeLower;
import org.unionfsjava.e2e.nfs.support.ServerSnapshot;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 6 behaviours of NFS-like lowers that needed main-code changes: a lower whose xattrs cannot
 * be listed or read (copy-up still succeeds), E2BIG passed through, and DT_UNKNOWN entries listed
 * with their true type in the overlay format.
 */
@Timeout(120)
@DisplayName("nfs (host): xattr-less copy-up, E2BIG and DT_UNKNOWN types with NFS-like lowers")
class NfsLowerGapsTest {
  @TempDir Path root;

  @BeforeAll
  static void available() {
    assumeTrue(Files.isExecutable(TestUnion.launcher()), "needs the built launcher bin/unionfs-java");
    assumeTrue(LoopImage.available() && Files.isExecutable(Path.of("/usr/sbin/mkfs.xfs")), "needs loop devices and xfsprogs");
  }

  /**
   * A lower file whose xattr list cannot be read: on xfs, 300 user xattrs with 244-byte names make
   * a list longer than XATTR_LIST_MAX (64 KiB), so llistxattr(2) answers E2BIG even with the
   * largest buffer (getfattr fails the same way on the lower itself).
   */
  private static Path fileWithUnreadableXattrList(Path dir) throws Exception {
    Path f = dir.resolve("big-xattrs");
    Files.writeString(f, "data under unreadable xattrs\n", StandardCharsets.UTF_8);
    var view = Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
    for (int i = 0; i < 300; i++) {
      view.write(String.format("n%03d", i) + "x".repeat(240), java.nio.ByteBuffer.wrap(new byte[] {'v'}));
    }
    assertEquals("E2BIG", Dirents.listxattr(f), "premise: the lower's xattr list is unreadable");
    return f;
  }

  @Test
  @DisplayName("P1: copy-up of a lower file whose xattr list is unreadable (E2BIG) succeeds: data, mode and times copied, lower untouched")
  void copyUp_lowerXattrListUnreadable_succeeds() throws Exception {
    // the xfs filesystem is mounted as the union's lower itself; unmounted in this order: union, image
    TestUnion u = TestUnion.create(root.resolve("u"), 1, UnionSystem.JAVA_OVERLAY);
    LoopImage img = LoopImage.xfs(root.resolve("x.img"), u.lower(1), 300);
    try {
      Path lowerFile = fileWithUnreadableXattrList(img.dir());
      String before = ServerSnapshot.of(img.dir());
      u.withArgs("--cache-ttl", "1s").mount();

      Files.writeString(u.at("big-xattrs"), "appended\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

      assertEquals("data under unreadable xattrs\nappended\n", Files.readString(u.upper().resolve("big-xattrs")));
      assertEquals("data under unreadable xattrs\nappended\n", Files.readString(u.at("big-xattrs")));
      u.unmount();
      assertEquals(before, ServerSnapshot.of(img.dir()));
      assertEquals("data under unreadable xattrs\n", Files.readString(lowerFile));
    } finally {
      try {
        u.close();
      } finally {
        img.close();
      }
    }
  }

  @Test
  @DisplayName("P2: listxattr through the union of a lower file whose list is too long answers E2BIG, as the lower does, not EIO")
  void listxattr_lowerListTooLong_answersE2big() throws Exception {
    TestUnion u = TestUnion.create(root.resolve("u"), 1, UnionSystem.JAVA_OVERLAY);
    LoopImage img = LoopImage.xfs(root.resolve("x.img"), u.lower(1), 300);
    try {
      fileWithUnreadableXattrList(img.dir());
      u.mount();

      assertEquals("E2BIG", Dirents.listxattr(u.at("big-xattrs")));
    } finally {
      try {
        u.close();
      } finally {
        img.close();
      }
    }
  }

  @Test
  @DisplayName("P3: over a DT_UNKNOWN lower, the overlay format's listing reports the true d_type (it lstat'ed every entry anyway)")
  void dtUnknownLower_overlayFormat_listsTrueTypes() throws Exception {
    assumeTrue(NfsLikeLower.available(), "needs mergerfs");
    try (NfsLikeLower s = NfsLikeLower.create(root, UnionSystem.JAVA_OVERLAY, 64)) {
      Files.writeString(s.server().resolve("f"), "x");
      Files.createDirectories(s.server().resolve("d"));
      Files.createSymbolicLink(s.server().resolve("l"), Path.of("f"));
      Processes.run(Duration.ofSeconds(10), "mkfifo", s.server().resolve("p").toString()).requireSuccess("mkfifo");
      s.mountUnion();

      Map<String, Integer> types = new java.util.TreeMap<>();
      for (Dirents.Entry e : Dirents.list(s.union().mnt())) {
        types.put(e.name(), e.type());
      }
      assertEquals(Map.of("d", Dirents.DT_DIR, "f", Dirents.DT_REG, "l", Dirents.DT_LNK, "p", Dirents.DT_FIFO,
          "lost+found", Dirents.DT_DIR), types);
    }
  }
}
