package org.unionfsjava.e2e.support;

/**
 * A union filesystem a test can mount over the same branches: unionfs-java in each whiteout
 * format, and kernel overlayfs as the reference.
 */
public enum UnionSystem {
  /** unionfs-java with {@code --whiteout-format overlay}. */
  JAVA_OVERLAY("fuse.unionfs-java", "overlay"),
  /** unionfs-java with {@code --whiteout-format aufs}. */
  JAVA_AUFS("fuse.unionfs-java", "aufs"),
  /** Linux overlayfs ({@code mount -t overlay}), the reference. */
  KERNEL_OVERLAY("overlay", null);

  private final String fsType;
  private final String whiteoutFormat;

  UnionSystem(String fsType, String whiteoutFormat) {
    this.fsType = fsType;
    this.whiteoutFormat = whiteoutFormat;
  }

  /** The type /proc/self/mountinfo shows for a mount of this system. */
  public String fsType() {
    return fsType;
  }

  /** The --whiteout-format value for unionfs-java, null for the kernel. */
  public String whiteoutFormat() {
    return whiteoutFormat;
  }

  /** True for unionfs-java. */
  public boolean isJava() {
    return whiteoutFormat != null;
  }
}
