package org.unionfsjava.e2e.semantics;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.dir;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.mode;
import static org.unionfsjava.e2e.support.Fixture.mtime;
import static org.unionfsjava.e2e.support.Fixture.owner;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Fixture.Stat;
import org.unionfsjava.e2e.support.OnDiskFormat;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Every copy-up trigger of DESIGN §2 ("open for write, truncate, chmod, chown, utimens, set/remove
 * xattr, link, rename") applied to a file that exists only in the lower, two directories deep:
 * afterwards the lower is unchanged byte for byte and attribute for attribute; the upper holds
 * the file with the lower's content, mode, owner, mtime (ns) and xattrs except the attribute the
 * operation changed; and the parent chain exists in the upper with the lower's modes and owners.
 */
@Timeout(120)
@DisplayName("copy-up: each trigger copies content and attributes and leaves the lower intact")
class CopyUpTest {
  static final Instant LOWER_MTIME = Instant.parse("2003-04-05T06:07:08.123456789Z");
  static final Instant NEW_MTIME = Instant.parse("2022-02-22T22:22:22.222222222Z");
  static final byte[] CONTENT = Fixture.bytes(65_536 + 123, 11);
  static final int FILE_MODE = 0640;
  static final int FILE_UID = 1005;
  static final int FILE_GID = 1006;

  /** An operation that must copy a lower file up, and what it changes. */
  enum Trigger {
    OPEN_FOR_WRITE("open(O_WRONLY) without writing") {
      @Override
      void apply(Path f) {
        Syscalls.openClose(f, Syscalls.O_WRONLY, 0).requireOk();
      }
    },
    OPEN_O_TRUNC("open(O_WRONLY|O_TRUNC)") {
      @Override
      void apply(Path f) {
        Syscalls.openClose(f, Syscalls.O_WRONLY | Syscalls.O_TRUNC, 0).requireOk();
      }

      @Override
      byte[] content() {
        return new byte[0];
      }

      @Override
      boolean keepsMtime() {
        return false;
      }
    },
    TRUNCATE("truncate(path, 5)") {
      @Override
      void apply(Path f) {
        Syscalls.truncate(f, 5).requireOk();
      }

      @Override
      byte[] content() {
        return Arrays.copyOf(CONTENT, 5);
      }

      @Override
      boolean keepsMtime() {
        return false;
      }
    },
    CHMOD("chmod 0604") {
      @Override
      void apply(Path f) {
        Syscalls.chmod(f, 0604).requireOk();
      }

      @Override
      int mode() {
        return 0604;
      }
    },
    CHOWN("chown 2001:2002") {
      @Override
      void apply(Path f) {
        Syscalls.lchown(f, 2001, 2002).requireOk();
      }

      @Override
      String owner() {
        return "2001:2002";
      }
    },
    UTIMENS("utimens with ns") {
      @Override
      void apply(Path f) {
        Fixture.mtime(f, NEW_MTIME);
      }

      @Override
      Instant mtime() {
        return NEW_MTIME;
      }
    },
    SETXATTR("setxattr user.added") {
      @Override
      void apply(Path f) {
        Syscalls.setxattr(f, "user.added", "new").requireOk();
      }

      @Override
      Map<String, String> xattrs() {
        return Map.of("user.tag", "lower", "user.gone", "soon", "user.added", "new");
      }
    },
    REMOVEXATTR("removexattr user.gone") {
      @Override
      void apply(Path f) {
        Syscalls.removexattr(f, "user.gone").requireOk();
      }

      @Override
      Map<String, String> xattrs() {
        return Map.of("user.tag", "lower");
      }
    },
    LINK("link f f.link") {
      @Override
      void apply(Path f) {
        Syscalls.link(f, f.resolveSibling("f.link")).requireOk();
      }
    },
    RENAME("rename f g") {
      @Override
      void apply(Path f) {
        Syscalls.rename(f, f.resolveSibling("g")).requireOk();
      }

      @Override
      String upperName() {
        return "g";
      }
    };

    final String what;

    Trigger(String what) {
      this.what = what;
    }

    abstract void apply(Path mountedFile);

    /**
     * True for the changes that copy metadata only on this system: attribute changes everywhere;
     * kernel overlayfs with metacopy=on also copies link and rename that way (unionfs-java copies
     * the data then, so that the names need no redirect to their data).
     */
    boolean metadataOnly(UnionSystem system) {
      boolean attributes = this == CHMOD || this == CHOWN || this == UTIMENS || this == SETXATTR || this == REMOVEXATTR;
      return attributes || (!system.isJava() && (this == LINK || this == RENAME));
    }

    byte[] content() {
      return CONTENT;
    }

    int mode() {
      return FILE_MODE;
    }

    String owner() {
      return FILE_UID + ":" + FILE_GID;
    }

    /** The mtime the copy must have, or null if the operation legitimately changes it. */
    Instant mtime() {
      return keepsMtime() ? LOWER_MTIME : null;
    }

    boolean keepsMtime() {
      return true;
    }

    Map<String, String> xattrs() {
      return Map.of("user.tag", "lower", "user.gone", "soon");
    }

    String upperName() {
      return "f";
    }

    String dir() {
      return "cu/" + name().toLowerCase();
    }

    @Override
    public String toString() {
      return what;
    }
  }

  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, CopyUpTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) {
    Path l = u.lower(1);
    for (Trigger t : Trigger.values()) {
      Path top = owner(mode(dir(l.resolve(t.dir())), 0751), 1001, 1002);
      Path sub = owner(mode(dir(top.resolve("sub")), 0715), 1003, 1004);
      Path f = file(sub.resolve("f"), CONTENT);
      Syscalls.setxattr(f, "user.tag", "lower").requireOk();
      Syscalls.setxattr(f, "user.gone", "soon").requireOk();
      owner(mtime(mode(f, FILE_MODE), LOWER_MTIME), FILE_UID, FILE_GID);
      mtime(sub, Instant.parse("2004-01-01T00:00:00.111Z"));
      mtime(top, Instant.parse("2005-01-01T00:00:00.222Z"));
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(UnionSystem.JAVA_OVERLAY, UnionSystem.JAVA_AUFS, UnionSystem.KERNEL_OVERLAY)
        .flatMap(s -> Arrays.stream(Trigger.values()).map(t -> Arguments.of(s, t)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  @DisplayName("a trigger on a lower-only file copies it up with its attributes; the lower stays byte-for-byte the same")
  void copyUp_trigger_copiesFileAndParentsLeavingLowerIntact(UnionSystem system, Trigger trigger) {
    TestUnion u = unions.get(system);
    Path lowerTop = u.lower(1).resolve(trigger.dir());
    Map<String, String> lowerBefore = TreeSnapshot.of(lowerTop, true);
    Path lowerFile = lowerTop.resolve("sub/f");

    trigger.apply(u.at(trigger.dir() + "/sub/f"));

    Path upperFile = u.upper().resolve(trigger.dir() + "/sub/" + trigger.upperName());
    assertTrue(Fixture.exists(upperFile), "the upper must hold the copied file " + upperFile);
    Stat up = Fixture.stat(upperFile);
    Stat seen = Fixture.stat(u.at(trigger.dir() + "/sub/" + trigger.upperName()));
    List<Executable> checks = new java.util.ArrayList<>(List.of(
        () -> assertEquals(lowerBefore, TreeSnapshot.of(lowerTop, true), "lower tree (content, mode, owner, mtime)"),
        () -> assertEquals(Map.of("user.tag", "lower", "user.gone", "soon"), xattrs(lowerFile, "user.tag", "user.gone"),
            "lower xattrs"),
        () -> assertEquals("file", up.kind(), "upper kind"),
        () -> {
          if (trigger.metadataOnly(system)) {
            // a metadata-only copy (issue 3; kernel overlayfs with metacopy=on does the same): the
            // lower's size, a hole in the upper, and the data still read through the mount
            assertEquals(trigger.content().length, Fixture.readBytes(upperFile).length, "upper size");
            assertArrayEquals(new byte[trigger.content().length], Fixture.readBytes(upperFile), "upper is a hole");
            assertArrayEquals(trigger.content(), Fixture.readBytes(u.at(trigger.dir() + "/sub/" + trigger.upperName())),
                "content through the mount");
          } else {
            assertArrayEquals(trigger.content(), Fixture.readBytes(upperFile), "upper content");
          }
        },
        () -> assertEquals(Integer.toOctalString(trigger.mode()), Integer.toOctalString(up.perm()), "upper mode"),
        () -> assertEquals(trigger.owner(), up.uid() + ":" + up.gid(), "upper owner"),
        () -> assertEquals(trigger.xattrs(), xattrs(upperFile, "user.tag", "user.gone", "user.added"), "upper xattrs"),
        () -> assertEquals(Integer.toOctalString(trigger.mode()), Integer.toOctalString(seen.perm()), "view mode"),
        () -> assertEquals(trigger.owner(), seen.uid() + ":" + seen.gid(), "view owner"),
        () -> assertArrayEquals(trigger.content(), Fixture.readBytes(u.at(trigger.dir() + "/sub/" + trigger.upperName())),
            "view content")));
    if (trigger.mtime() != null) {
      checks.add(() -> assertEquals(trigger.mtime(), up.mtime().toInstant(), "upper mtime (ns)"));
      checks.add(() -> assertEquals(trigger.mtime(), seen.mtime().toInstant(), "view mtime (ns)"));
    }
    for (String parent : List.of("cu", trigger.dir(), trigger.dir() + "/sub")) {
      checks.add(() -> {
        Stat lp = Fixture.stat(u.lower(1).resolve(parent));
        Path upPath = u.upper().resolve(parent);
        assertTrue(Fixture.exists(upPath), "parent copied up: " + upPath);
        Stat upParent = Fixture.stat(upPath);
        assertEquals("dir", upParent.kind(), parent);
        assertEquals(Integer.toOctalString(lp.perm()), Integer.toOctalString(upParent.perm()), "upper parent mode " + parent);
        assertEquals(lp.uid() + ":" + lp.gid(), upParent.uid() + ":" + upParent.gid(), "upper parent owner " + parent);
      });
    }
    if (trigger == Trigger.LINK) {
      checks.add(() -> assertEquals(2, up.nlink(), "upper nlink after link"));
      checks.add(() -> assertEquals(up.ino(), Fixture.stat(upperFile.resolveSibling("f.link")).ino(), "one upper inode"));
    }
    if (trigger == Trigger.RENAME) {
      checks.add(() -> assertTrue(!Fixture.exists(u.at(trigger.dir() + "/sub/f")), "old name hidden"));
      checks.add(() -> OnDiskFormat.assertWhiteout(system, u.upper(), trigger.dir() + "/sub/f"));
    }
    assertAll(trigger.what, checks);
  }

  private static Map<String, String> xattrs(Path p, String... names) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (String n : names) {
      String v = Syscalls.xattrValue(p, n);
      if (v != null) {
        out.put(n, v);
      }
    }
    return out;
  }
}
