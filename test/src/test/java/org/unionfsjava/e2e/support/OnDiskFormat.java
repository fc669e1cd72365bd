package org.unionfsjava.e2e.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What whiteouts and opaque directories look like in a branch, per whiteout format (DESIGN §3):
 * overlay (unionfs-java overlay format and kernel overlayfs) uses a char device 0/0 named NAME
 * and the xattr {@code trusted.overlay.opaque=y}; aufs uses an empty file {@code .wh.NAME} and a
 * file {@code .wh..wh..opq}. Tests use it to check the upper after operations and to build
 * lowers that already hold markers.
 */
public final class OnDiskFormat {
  public static final String AUFS_PREFIX = ".wh.";
  public static final String AUFS_OPAQUE = ".wh..wh..opq";
  public static final String OVERLAY_OPAQUE_XATTR = "trusted.overlay.opaque";

  private OnDiskFormat() {}

  private static boolean aufs(UnionSystem system) {
    return "aufs".equals(system.whiteoutFormat());
  }

  /** Asserts that the branch holds a whiteout for {@code rel} in the system's format. */
  public static void assertWhiteout(UnionSystem system, Path branch, String rel) {
    Path p = branch.resolve(rel);
    if (aufs(system)) {
      Path marker = p.resolveSibling(AUFS_PREFIX + p.getFileName());
      assertTrue(Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS),
          "aufs whiteout file " + marker + " expected in the branch");
      assertFalse(Fixture.exists(p), "aufs: the whited-out name itself must not exist in the branch: " + p);
    } else {
      assertTrue(Fixture.exists(p), "overlay whiteout (char device 0/0) expected at " + p);
      Fixture.Stat st = Fixture.stat(p);
      assertEquals("char", st.kind(), "overlay whiteout must be a char device: " + p);
      assertEquals(0L, st.rdev(), "overlay whiteout must be device 0/0: " + p);
    }
  }

  /** Asserts that the branch holds no whiteout for {@code rel} (whatever else may be there). */
  public static void assertNoWhiteout(UnionSystem system, Path branch, String rel) {
    Path p = branch.resolve(rel);
    if (aufs(system)) {
      Path marker = p.resolveSibling(AUFS_PREFIX + p.getFileName());
      assertFalse(Fixture.exists(marker), "no aufs whiteout expected, found " + marker);
    } else if (Fixture.exists(p)) {
      Fixture.Stat st = Fixture.stat(p);
      assertFalse("char".equals(st.kind()) && st.rdev() == 0L, "no overlay whiteout expected, found one at " + p);
    }
  }

  /** Asserts that the directory {@code rel} in the branch is marked opaque. */
  public static void assertOpaque(UnionSystem system, Path branch, String rel) {
    Path dir = branch.resolve(rel);
    assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS), "directory expected in the branch: " + dir);
    if (aufs(system)) {
      assertTrue(Fixture.exists(dir.resolve(AUFS_OPAQUE)), "aufs opaque marker expected: " + dir.resolve(AUFS_OPAQUE));
    } else {
      assertEquals("y", Syscalls.xattrValue(dir, OVERLAY_OPAQUE_XATTR),
          "xattr " + OVERLAY_OPAQUE_XATTR + " on " + dir);
    }
  }

  /** Asserts that the directory {@code rel} in the branch is not marked opaque. */
  public static void assertNotOpaque(UnionSystem system, Path branch, String rel) {
    Path dir = branch.resolve(rel);
    if (aufs(system)) {
      assertFalse(Fixture.exists(dir.resolve(AUFS_OPAQUE)), "no aufs opaque marker expected in " + dir);
    } else {
      assertFalse("y".equals(Syscalls.xattrValue(dir, OVERLAY_OPAQUE_XATTR)), "no opaque xattr expected on " + dir);
    }
  }

  /** Writes a whiteout for {@code rel} into a branch (used to build lowers before mounting). */
  public static void writeWhiteout(UnionSystem system, Path branch, String rel) {
    Path p = branch.resolve(rel);
    Fixture.dir(p.getParent());
    if (aufs(system)) {
      Fixture.file(p.resolveSibling(AUFS_PREFIX + p.getFileName()), "");
    } else {
      Syscalls.mknod(p, Syscalls.S_IFCHR, 0, 0).requireOk();
    }
  }

  /** Marks the directory {@code rel} in a branch opaque (used to build lowers before mounting). */
  public static void writeOpaque(UnionSystem system, Path branch, String rel) {
    Path dir = Fixture.dir(branch.resolve(rel));
    if (aufs(system)) {
      Fixture.file(dir.resolve(AUFS_OPAQUE), "");
    } else {
      Syscalls.setxattr(dir, OVERLAY_OPAQUE_XATTR, "y").requireOk();
    }
  }

  /** True for a name no union may show in its merged view (markers, work or state directories). */
  public static boolean isInternalName(String name) {
    return name.startsWith(AUFS_PREFIX) || name.startsWith(".unionfs");
  }
}
