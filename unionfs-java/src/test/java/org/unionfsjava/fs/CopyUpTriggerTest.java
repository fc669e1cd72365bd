package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.fs.OpsFixture.ENODATA;
import static org.unionfsjava.fs.OpsFixture.ENOENT;
import static org.unionfsjava.fs.OpsFixture.utf8;
import static org.unionfsjava.fs.nativeio.NativeFile.O_TRUNC;
import static org.unionfsjava.fs.nativeio.NativeFile.O_WRONLY;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;

/**
 * Each copy-up trigger of DESIGN §2 applied through {@link UnionOps} to a file that exists only in
 * the lower, two directories deep: the lower stays byte- and attribute-identical, the upper gets a
 * copy with the lower's data, owner, mode, mtime and xattrs except what the operation changed,
 * and the parent chain exists in the upper with the lower's modes.
 */
@DisplayName("UnionOps: every copy-up trigger copies the lower file up and leaves the lower intact")
class CopyUpTriggerTest {
  private static final String FILE = "/d1/d2/f";
  private static final byte[] DATA = new byte[70_000];
  private static final long MTIME_NS = Instant.parse("2003-04-05T06:07:08.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789;

  static {
    new Random(11).nextBytes(DATA);
  }

  @TempDir Path root;
  private OpsFixture fx;

  @AfterEach
  void close() {
    if (fx != null) {
      try {
        assertEquals(0, fx.ops.table().openCount(), "handles left open");
      } finally {
        fx.close();
      }
    }
  }

  /** An operation that must copy the lower file up; {@code apply} asserts its own answers. */
  enum Trigger {
    OPEN_WRONLY {
      @Override
      void apply(OpsFixture fx) {
        long fh = fx.open(FILE, O_WRONLY).require();
        assertEquals(1, fx.io.count("copyFileData"), "an open for writing copies the data once");
        assertEquals(DATA.length, fx.fgetattr(fh).require().size());
        assertEquals(0, fx.release(fh));
      }
    },
    OPEN_TRUNC {
      @Override
      void apply(OpsFixture fx) throws IOException {
        long fh = fx.open(FILE, O_WRONLY | O_TRUNC).require();
        // before any write: the upper file is empty and no data was copied
        assertEquals(0, fx.fgetattr(fh).require().size());
        assertEquals(0, Files.size(fx.upper.resolve("d1/d2/f")));
        assertEquals(0, fx.io.count("copyFileData"), "O_TRUNC copies no data");
        assertEquals(3, fx.write(fh, utf8("new"), 0));
        assertEquals(0, fx.release(fh));
      }

      @Override
      byte[] content() {
        return utf8("new");
      }

      @Override
      boolean keepsMtime() {
        return false;
      }
    },
    TRUNCATE_5 {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.truncate(FILE, 5));
      }

      @Override
      byte[] content() {
        return Arrays.copyOf(DATA, 5);
      }

      @Override
      boolean keepsMtime() {
        return false;
      }
    },
    TRUNCATE_0 {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.truncate(FILE, 0));
        assertEquals(0, fx.io.count("copyFileData"), "truncate to 0 copies no data");
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
    CHMOD {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.chmod(FILE, 0600));
        assertEquals(0600, fx.getattr(FILE).require().permissions());
      }

      @Override
      int mode() {
        return 0600;
      }
    },
    CHOWN {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.chown(FILE, 2001, 2002));
        Stat st = fx.getattr(FILE).require();
        assertEquals(2001, st.uid());
        assertEquals(2002, st.gid());
      }

      @Override
      int uid() {
        return 2001;
      }
    },
    UTIMENS {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.utimens(FILE, 5_000_000_123L, 7_000_000_456L));
        assertEquals(7_000_000_456L, fx.getattr(FILE).require().mtimeNs());
      }

      @Override
      boolean keepsMtime() {
        return false;
      }
    },
    SETXATTR {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.setxattr(FILE, "user.added", utf8("v"), 0));
        assertArrayEquals(utf8("v"), fx.getxattr(FILE, "user.added").require());
      }

      @Override
      List<String> xattrs() {
        return List.of("user.added", "user.drop", "user.keep");
      }
    },
    REMOVEXATTR {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.removexattr(FILE, "user.drop"));
        assertEquals(-ENODATA, fx.getxattr(FILE, "user.drop").rc());
        assertEquals(-ENODATA, fx.removexattr(FILE, "user.drop"));
      }

      @Override
      List<String> xattrs() {
        return List.of("user.keep");
      }
    },
    LINK {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.link(FILE, "/d1/d2/g"));
        Stat a = fx.getattr(FILE).require();
        Stat b = fx.getattr("/d1/d2/g").require();
        assertEquals(a.ino(), b.ino(), "both names are one file");
        assertEquals(2, a.nlink());
      }
    },
    RENAME {
      @Override
      void apply(OpsFixture fx) {
        assertEquals(0, fx.rename(FILE, "/d1/d2/h"));
        assertEquals(-ENOENT, fx.getattr(FILE).rc());
        assertArrayEquals(DATA, fx.readFile("/d1/d2/h"));
      }

      @Override
      String upperName() {
        return "d1/d2/h";
      }
    };

    abstract void apply(OpsFixture fx) throws IOException;

    byte[] content() {
      return DATA;
    }

    boolean keepsMtime() {
      return true;
    }

    int mode() {
      return 0640;
    }

    int uid() {
      return 1005;
    }

    List<String> xattrs() {
      return List.of("user.drop", "user.keep");
    }

    /** True for the attribute changes, which copy metadata only: the data stays in the lower. */
    boolean metadataOnly() {
      return this == CHMOD || this == CHOWN || this == UTIMENS || this == SETXATTR || this == REMOVEXATTR;
    }

    String upperName() {
      return "d1/d2/f";
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of("overlay", "aufs").flatMap(f -> Arrays.stream(Trigger.values()).map(t -> Arguments.of(f, t)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  @DisplayName("a trigger on a lower file: upper copy with the lower's data and metadata (minus the change), lower unchanged")
  void trigger_fileOnlyInLower_copiedUpLowerByteIdentical(String format, Trigger trigger) throws IOException {
    fx = OpsFixture.of(root, format);
    Path lowerFile = fx.lower(1).resolve("d1/d2/f");
    Files.createDirectories(lowerFile.getParent());
    Files.write(lowerFile, DATA);
    NativeBranchIo real = new NativeBranchIo();
    real.setXattr(lowerFile, "user.keep", utf8("k"), 0);
    real.setXattr(lowerFile, "user.drop", utf8("d"), 0);
    real.lchown(lowerFile, 1005, 1006);
    real.chmod(lowerFile, 0640);
    real.chmod(lowerFile.getParent(), 0750);
    real.chmod(lowerFile.getParent().getParent(), 0711);
    real.utimens(lowerFile, MTIME_NS, MTIME_NS);
    Files.setLastModifiedTime(lowerFile.getParent(), FileTime.fromMillis(1_000_000_000_000L));
    Map<String, String> lowerBefore = fx.snapshot(fx.lower(1));
    assertEquals(List.of("d2"), fx.list("/d1"), "the union sees the lower tree");
    long inoBefore = fx.getattr("/d1/d2/f").require().ino();
    fx.io.resetCounts();

    trigger.apply(fx);

    assertEquals(lowerBefore, fx.snapshot(fx.lower(1)), "the lower must not change");
    Path up = fx.upper.resolve(trigger.upperName());
    Stat st = real.lstat(up);
    assertTrue(st != null && st.kind() == FileKind.REGULAR, "upper copy of " + trigger);
    if (trigger.metadataOnly()) {
      // a metadata-only copy: the lower's size, no data blocks, reads still come from the lower
      assertEquals(0, fx.io.count("copyFileData"), "an attribute change copies no data");
      assertEquals(DATA.length, st.size());
      assertArrayEquals(new byte[DATA.length], Files.readAllBytes(up), "a hole: no data copied");
      assertTrue(fx.format.isMetacopy(real, up), "marked as a metadata-only copy");
    } else {
      assertArrayEquals(trigger.content(), Files.readAllBytes(up));
    }
    assertEquals(trigger.mode(), st.permissions());
    assertEquals(trigger.uid(), st.uid());
    if (trigger.keepsMtime()) {
      assertEquals(MTIME_NS, st.mtimeNs(), "mtime copied with ns");
    }
    assertEquals(trigger.xattrs(), real.listXattrs(up).stream()
        .filter(n -> n.startsWith("user.") && !n.startsWith("user.unionfs.")).sorted().toList());
    assertEquals(0750, real.lstat(fx.upper.resolve("d1/d2")).permissions(), "parent copied with the lower's mode");
    assertEquals(0711, real.lstat(fx.upper.resolve("d1")).permissions(), "grandparent copied with the lower's mode");
    // the union now serves the upper copy
    String visible = "/" + trigger.upperName();
    assertEquals(inoBefore, fx.getattr(visible).require().ino(), "the inode number survives the copy-up");
    assertArrayEquals(trigger.content(), fx.readFile(visible));
    assertNull(real.lstat(fx.lower(1).resolve("d1/d2/g")), "nothing new in the lower");
    assertEquals(List.of(), real.list(fx.workDir.resolve("tmp")), "no temporaries left in the work directory");
  }
}
