package org.unionfsjava.model;

/** The type of a filesystem object, as the S_IFMT bits of st_mode say. */
public enum FileKind {
  REGULAR(0100000), DIRECTORY(0040000), SYMLINK(0120000), CHAR_DEVICE(0020000),
  BLOCK_DEVICE(0060000), FIFO(0010000), SOCKET(0140000), UNKNOWN(0);

  /** The S_IFMT mask. */
  public static final int S_IFMT = 0170000;

  private final int typeBits;

  FileKind(int typeBits) {
    this.typeBits = typeBits;
  }

  /** The S_IFxxx bits of this kind (0 for {@link #UNKNOWN}). */
  public int typeBits() {
    return typeBits;
  }

  /** The kind that an st_mode value names. */
  public static FileKind ofMode(int mode) {
    switch (mode & S_IFMT) {
      case 0100000: return REGULAR;
      case 0040000: return DIRECTORY;
      case 0120000: return SYMLINK;
      case 0020000: return CHAR_DEVICE;
      case 0060000: return BLOCK_DEVICE;
      case 0010000: return FIFO;
      case 0140000: return SOCKET;
      default: return UNKNOWN;
    }
  }
}
