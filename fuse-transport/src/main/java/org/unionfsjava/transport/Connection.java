package org.unionfsjava.transport;

/**
 * The INIT exchange: what the kernel offers (its protocol version, flags, readahead) and what
 * this side asks for. The handler's {@link RequestHandler#init} may change the request before the
 * reply goes out; afterwards {@link #negotiated} says what both sides agreed on.
 */
public final class Connection {
  private final int kernelMajor;
  private final int kernelMinor;
  private final long offered;
  private final int kernelMaxReadahead;
  private long want;
  private int maxWrite;
  private int maxReadahead;
  private int maxBackground;
  private int congestionThreshold;
  private int timeGran = 1;
  private int maxStackDepth;
  private long negotiated;
  private boolean replied;

  Connection(int kernelMajor, int kernelMinor, long offered, int kernelMaxReadahead, SessionOptions options) {
    this.kernelMajor = kernelMajor;
    this.kernelMinor = kernelMinor;
    this.offered = offered;
    this.kernelMaxReadahead = kernelMaxReadahead;
    this.want = options.want() | (options.passthrough() ? InitFlags.PASSTHROUGH : 0);
    this.maxWrite = options.maxWrite();
    this.maxReadahead = kernelMaxReadahead;
    this.maxStackDepth = options.passthrough() ? options.maxStackDepth() : 0;
  }

  public int kernelMajor() {
    return kernelMajor;
  }

  /** The kernel's minor protocol version (45 on Linux 6.18, 32 on 5.10). */
  public int kernelMinor() {
    return kernelMinor;
  }

  /** The minor version both sides speak. */
  public int minor() {
    return Math.min(kernelMinor, Protocol.KERNEL_MINOR_VERSION);
  }

  /** The flags the kernel offers ({@link InitFlags}). */
  public long offered() {
    return offered;
  }

  public boolean offers(long flag) {
    return (offered & flag) == flag;
  }

  /** Asks for these flags too. */
  public Connection want(long flags) {
    want |= flags;
    return this;
  }

  /** Stops asking for these flags. */
  public Connection unwant(long flags) {
    want &= ~flags;
    return this;
  }

  public long wanted() {
    return want;
  }

  public Connection maxReadahead(int bytes) {
    maxReadahead = Math.min(bytes, kernelMaxReadahead);
    return this;
  }

  public Connection maxBackground(int requests) {
    maxBackground = requests;
    return this;
  }

  public Connection congestionThreshold(int requests) {
    congestionThreshold = requests;
    return this;
  }

  /** Timestamp granularity in nanoseconds (1: exact). */
  public Connection timeGran(int nanos) {
    timeGran = nanos;
    return this;
  }

  public int maxWrite() {
    return maxWrite;
  }

  public int maxStackDepth() {
    return maxStackDepth;
  }

  /** What both sides agreed on, once the INIT reply went out. */
  public long negotiated() {
    return negotiated;
  }

  public boolean negotiated(long flag) {
    return (negotiated & flag) == flag;
  }

  boolean replied() {
    return replied;
  }

  /**
   * Writes fuse_init_out (64 bytes, the size every kernel since 7.23 reads) at {@code at}; flags2
   * only where the kernel sent INIT_EXT. Returns the body's length.
   */
  int writeReply(java.nio.ByteBuffer b, int at) {
    long agreed = want & offered;
    if ((agreed & InitFlags.PASSTHROUGH) != 0 && (agreed & InitFlags.WRITEBACK_CACHE) != 0) {
      agreed &= ~InitFlags.WRITEBACK_CACHE; // the kernel refuses passthrough with writeback caching
    }
    if (offers(InitFlags.INIT_EXT)) {
      agreed |= InitFlags.INIT_EXT;
    } else {
      agreed &= 0xffffffffL;
    }
    for (int i = 0; i < Layout.InitOut.SIZE; i += 8) {
      b.putLong(at + i, 0);
    }
    int pages = (maxWrite + 4095) / 4096;
    b.putInt(at + Layout.InitOut.MAJOR, Protocol.KERNEL_VERSION);
    b.putInt(at + Layout.InitOut.MINOR, Protocol.KERNEL_MINOR_VERSION);
    b.putInt(at + Layout.InitOut.MAX_READAHEAD, maxReadahead);
    b.putInt(at + Layout.InitOut.FLAGS, (int) agreed);
    b.putShort(at + Layout.InitOut.MAX_BACKGROUND, (short) maxBackground);
    b.putShort(at + Layout.InitOut.CONGESTION_THRESHOLD, (short) congestionThreshold);
    b.putInt(at + Layout.InitOut.MAX_WRITE, maxWrite);
    b.putInt(at + Layout.InitOut.TIME_GRAN, timeGran);
    b.putShort(at + Layout.InitOut.MAX_PAGES, (short) Math.min(pages, 0xffff));
    b.putInt(at + Layout.InitOut.FLAGS2, (int) (agreed >>> 32));
    b.putInt(at + Layout.InitOut.MAX_STACK_DEPTH, (agreed & InitFlags.PASSTHROUGH) != 0 ? maxStackDepth : 0);
    negotiated = agreed;
    replied = true;
    return Layout.InitOut.SIZE;
  }

  @Override
  public String toString() {
    return "FUSE " + kernelMajor + "." + kernelMinor + " offers " + InitFlags.describe(offered)
        + (replied ? "; agreed " + InitFlags.describe(negotiated) : "; asked " + InitFlags.describe(want));
  }
}
