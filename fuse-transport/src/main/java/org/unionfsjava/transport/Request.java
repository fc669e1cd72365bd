package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;
import java.nio.ByteBuffer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One FUSE request and the ways to answer it: a flyweight over its worker's request and reply
 * buffers, reused for the next request once the handler returns. The header fields and the
 * argument views are valid only until then, so a handler answers before it returns (exactly
 * once; FORGET gets no answer). The dispatcher answers EIO for a request left unanswered.
 *
 * <p>Every reply is one write (or writev, or a splice) of fuse_out_header and its body to the
 * descriptor the request came from. Replies that give the kernel a reference (entry, create,
 * open) return false when the kernel did not take it (the request was interrupted or the
 * connection aborted), so the caller can drop what it counted.
 */
public final class Request {
  private static final Logger LOG = LogManager.getLogger();
  private static final long NANOS = 1_000_000_000L;

  final NativeBuffer in;
  final NativeBuffer out;
  private final int fd;
  private final Session session;
  private final Attributes scratchAttributes = new Attributes();
  private final ByteBuffer dataView;
  private final DirectoryListing listing;
  private DataSplicer splicer;
  private final long iovec;
  private final NativeBuffer iovecBuffer = new NativeBuffer(32);
  private ByteBuffer lastData;
  private long lastDataAddress;

  private int length;
  private int opcode;
  private long unique;
  private long nodeId;
  private int uid;
  private int gid;
  private int pid;
  private int argumentsEnd;
  private boolean answered;
  private volatile long inFlight;
  private volatile boolean interrupted;
  private volatile Runnable onInterrupt;

  Request(Session session, int fd, int inCapacity, int outCapacity) {
    this.session = session;
    this.fd = fd;
    this.in = new NativeBuffer(inCapacity);
    this.out = new NativeBuffer(outCapacity);
    this.dataView = out.buffer.duplicate().position(Layout.OutHeader.SIZE).slice()
        .order(out.buffer.order());
    this.listing = new DirectoryListing(this);
    this.iovec = iovecBuffer.address;
  }

  /** Decodes the header of the {@code length} bytes just read into {@link #in}. */
  void load(int length) {
    ByteBuffer b = in.buffer;
    this.length = length;
    opcode = b.getInt(Layout.InHeader.OPCODE);
    unique = b.getLong(Layout.InHeader.UNIQUE);
    nodeId = b.getLong(Layout.InHeader.NODEID);
    uid = b.getInt(Layout.InHeader.UID);
    gid = b.getInt(Layout.InHeader.GID);
    pid = b.getInt(Layout.InHeader.PID);
    int extensions = (b.getShort(Layout.InHeader.TOTAL_EXTLEN) & 0xffff) * 8;
    argumentsEnd = Math.max(Layout.InHeader.SIZE, length - extensions);
    answered = false;
    interrupted = false;
    onInterrupt = null;
    inFlight = unique;
  }

  void finished() {
    inFlight = 0;
  }

  long inFlight() {
    return inFlight;
  }

  /** Marks this request interrupted (an INTERRUPT named it) and runs its interrupt action. */
  void interrupt() {
    interrupted = true;
    Runnable r = onInterrupt;
    if (r != null) {
      r.run();
    }
  }

  boolean answered() {
    return answered;
  }

  int length() {
    return length;
  }

  int argumentsEnd() {
    return argumentsEnd;
  }

  public int opcode() {
    return opcode;
  }

  /** The request's id (fuse_in_header.unique); the high bit marks a resent request. */
  public long unique() {
    return unique;
  }

  /** The node the request is about (fuse_in_header.nodeid): the parent for name operations. */
  public long nodeId() {
    return nodeId;
  }

  /** The caller's uid, gid and thread group id (fuse_in_header). */
  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  public int pid() {
    return pid;
  }

  /** Whether the kernel sent an INTERRUPT for this request (the caller got a signal). */
  public boolean interrupted() {
    return interrupted;
  }

  /**
   * Runs {@code action} (on the thread that reads the INTERRUPT) when the kernel interrupts this
   * request, at once if it already has; the handler still answers, usually EINTR.
   */
  public void onInterrupt(Runnable action) {
    onInterrupt = action;
    if (interrupted) {
      action.run();
    }
  }

  /** The session that read this request (notifications, backing files). */
  public Session session() {
    return session;
  }

  /** This worker's scratch attributes, cleared, for one answer. */
  public Attributes attributes() {
    return scratchAttributes.clear();
  }

  // ---- replies -------------------------------------------------------------------------------

  private ByteBuffer body() {
    return out.buffer;
  }

  private boolean send(int bodyLength, int error) {
    ByteBuffer b = out.buffer;
    int len = Layout.OutHeader.SIZE + bodyLength;
    b.putInt(Layout.OutHeader.LEN, len);
    b.putInt(Layout.OutHeader.ERROR, error);
    b.putLong(Layout.OutHeader.UNIQUE, unique);
    answered = true;
    return written(LibC.INSTANCE.write(fd, out.address, len), len);
  }

  private boolean written(long rc, int expected) {
    if (rc == expected) {
      return true;
    }
    int errno = rc < 0 ? LibC.errno() : 0;
    if (errno == Errno.ENOENT) {
      LOG.debug("reply to {} #{}: the kernel no longer waits for it (interrupted)", opcodeName(), unique);
    } else {
      LOG.warn("reply to {} #{} not written: rc {} errno {}", opcodeName(), unique, rc, errno);
    }
    return false;
  }

  String opcodeName() {
    Opcode o = Opcode.of(opcode);
    return o != null ? o.name() : "opcode " + opcode;
  }

  /** Answers with an error (a positive errno, e.g. 2 for ENOENT) or, with 0, success. */
  public void replyError(int errno) {
    send(0, -errno);
  }

  /** Answers success without data (unlink, rename, setxattr, release, fsync, flush, access...). */
  public void replyOk() {
    send(0, 0);
  }

  void replyNone() {
    answered = true;
  }

  private static void putValid(ByteBuffer b, int secondsAt, int nanosAt, long nanos) {
    long n = Math.max(0, nanos);
    b.putLong(secondsAt, n / NANOS);
    b.putInt(nanosAt, (int) (n % NANOS));
  }

  private void putEntry(int at, long node, long generation, long entryNanos, long attrNanos, Attributes a) {
    ByteBuffer b = body();
    b.putLong(at + Layout.EntryOut.NODEID, node);
    b.putLong(at + Layout.EntryOut.GENERATION, generation);
    putValid(b, at + Layout.EntryOut.ENTRY_VALID, at + Layout.EntryOut.ENTRY_VALID_NSEC, entryNanos);
    putValid(b, at + Layout.EntryOut.ATTR_VALID, at + Layout.EntryOut.ATTR_VALID_NSEC, attrNanos);
    a.writeTo(b, at + Layout.EntryOut.ATTR);
  }

  /**
   * Answers LOOKUP, MKNOD, MKDIR, SYMLINK or LINK with a node: the kernel counts one lookup of it
   * (to be given back by FORGET) when this returns true. Timeouts in nanoseconds.
   */
  public boolean replyEntry(long node, long generation, long entryNanos, long attrNanos, Attributes a) {
    putEntry(Layout.OutHeader.SIZE, node, generation, entryNanos, attrNanos, a);
    return send(Layout.EntryOut.SIZE, 0);
  }

  /** Answers a LOOKUP of a missing name that the kernel may cache as missing for the timeout. */
  public void replyNegativeEntry(long entryNanos) {
    ByteBuffer b = body();
    int at = Layout.OutHeader.SIZE;
    for (int i = 0; i < Layout.EntryOut.SIZE; i += 8) {
      b.putLong(at + i, 0);
    }
    putValid(b, at + Layout.EntryOut.ENTRY_VALID, at + Layout.EntryOut.ENTRY_VALID_NSEC, entryNanos);
    send(Layout.EntryOut.SIZE, 0);
  }

  /** Answers GETATTR or SETATTR. */
  public void replyAttr(Attributes a, long attrNanos) {
    ByteBuffer b = body();
    int at = Layout.OutHeader.SIZE;
    putValid(b, at + Layout.AttrOut.ATTR_VALID, at + Layout.AttrOut.ATTR_VALID_NSEC, attrNanos);
    b.putInt(at + Layout.AttrOut.ATTR_VALID_NSEC + 4, 0);
    a.writeTo(b, at + Layout.AttrOut.ATTR);
    send(Layout.AttrOut.SIZE, 0);
  }

  private int putOpen(int at, long fh, int openFlags, int backingId) {
    ByteBuffer b = body();
    b.putLong(at + Layout.OpenOut.FH, fh);
    b.putInt(at + Layout.OpenOut.OPEN_FLAGS, openFlags);
    b.putInt(at + Layout.OpenOut.BACKING_ID, backingId);
    return Layout.OpenOut.SIZE;
  }

  /** Answers OPEN or OPENDIR with a handle and FOPEN_* flags; false if the kernel did not take it. */
  public boolean replyOpen(long fh, int openFlags) {
    return send(putOpen(Layout.OutHeader.SIZE, fh, openFlags & ~Protocol.FOPEN_PASSTHROUGH, 0), 0);
  }

  /**
   * Answers OPEN with FOPEN_PASSTHROUGH and a backing id from {@link BackingFiles#open}: the
   * kernel then reads, writes, splices and maps the backing file itself. Keep the id open until
   * the RELEASE of this handle (the kernel takes its reference after this write returns).
   */
  public boolean replyOpenPassthrough(long fh, int openFlags, int backingId) {
    return send(putOpen(Layout.OutHeader.SIZE, fh, openFlags | Protocol.FOPEN_PASSTHROUGH, backingId), 0);
  }

  /** Answers CREATE with the new node and its open handle (backingId 0: no passthrough). */
  public boolean replyCreate(long node, long generation, long entryNanos, long attrNanos, Attributes a,
      long fh, int openFlags, int backingId) {
    putEntry(Layout.OutHeader.SIZE, node, generation, entryNanos, attrNanos, a);
    int flags = backingId > 0 ? openFlags | Protocol.FOPEN_PASSTHROUGH : openFlags & ~Protocol.FOPEN_PASSTHROUGH;
    int n = putOpen(Layout.OutHeader.SIZE + Layout.EntryOut.SIZE, fh, flags, Math.max(0, backingId));
    return send(Layout.EntryOut.SIZE + n, 0);
  }

  /** Answers WRITE with the count of bytes written. */
  public void replyWrite(int count) {
    ByteBuffer b = body();
    b.putInt(Layout.OutHeader.SIZE + Layout.WriteOut.SIZE_, count);
    b.putInt(Layout.OutHeader.SIZE + Layout.WriteOut.SIZE_ + 4, 0);
    send(Layout.WriteOut.SIZE, 0);
  }

  /** Answers GETXATTR or LISTXATTR that asked for the size only (size 0). */
  public void replyXattrSize(int size) {
    ByteBuffer b = body();
    b.putInt(Layout.OutHeader.SIZE + Layout.GetxattrOut.SIZE_, size);
    b.putInt(Layout.OutHeader.SIZE + Layout.GetxattrOut.SIZE_ + 4, 0);
    send(Layout.GetxattrOut.SIZE, 0);
  }

  /** Answers LSEEK with the new offset. */
  public void replyLseek(long offset) {
    body().putLong(Layout.OutHeader.SIZE + Layout.LseekOut.OFFSET, offset);
    send(Layout.LseekOut.SIZE, 0);
  }

  /** Answers STATFS (struct fuse_kstatfs). */
  public void replyStatfs(long blocks, long bfree, long bavail, long files, long ffree, int bsize,
      int namelen, int frsize) {
    ByteBuffer b = body();
    int at = Layout.OutHeader.SIZE;
    for (int i = 0; i < Layout.Kstatfs.SIZE; i += 8) {
      b.putLong(at + i, 0);
    }
    b.putLong(at + Layout.Kstatfs.BLOCKS, blocks);
    b.putLong(at + Layout.Kstatfs.BFREE, bfree);
    b.putLong(at + Layout.Kstatfs.BAVAIL, bavail);
    b.putLong(at + Layout.Kstatfs.FILES, files);
    b.putLong(at + Layout.Kstatfs.FFREE, ffree);
    b.putInt(at + Layout.Kstatfs.BSIZE, bsize);
    b.putInt(at + Layout.Kstatfs.NAMELEN, namelen);
    b.putInt(at + Layout.Kstatfs.FRSIZE, frsize);
    send(Layout.Kstatfs.SIZE, 0);
  }

  /**
   * This worker's reply buffer for up to {@code size} bytes of data (READ, READLINK, GETXATTR,
   * LISTXATTR): fill it from position 0 and answer with {@link #replyData(int)}.
   */
  public ByteBuffer dataBuffer(int size) {
    int room = out.capacity() - Layout.OutHeader.SIZE;
    if (size > room) {
      throw new IllegalArgumentException(size + " bytes asked, " + room + " in the reply buffer");
    }
    dataView.clear().limit(size);
    return dataView;
  }

  /** The same buffer as {@link #dataBuffer(int)} without a slice: bytes at index 16 onwards. */
  int dataOffset() {
    return Layout.OutHeader.SIZE;
  }

  /** Answers with the first {@code length} bytes of {@link #dataBuffer(int)}. */
  public void replyData(int length) {
    send(length, 0);
  }

  /** Answers with the bytes of {@code data} from its position to its limit (one writev). */
  public void replyData(ByteBuffer data) {
    int n = data.remaining();
    if (!data.isDirect()) {
      dataBuffer(n).put(data.duplicate());
      send(n, 0);
      return;
    }
    if (data != lastData) {
      lastData = data;
      lastDataAddress = NativeBuffer.addressOf(data);
    }
    ByteBuffer b = out.buffer;
    int len = Layout.OutHeader.SIZE + n;
    b.putInt(Layout.OutHeader.LEN, len);
    b.putInt(Layout.OutHeader.ERROR, 0);
    b.putLong(Layout.OutHeader.UNIQUE, unique);
    ByteBuffer v = iovecBuffer.buffer;
    v.putLong(0, out.address);
    v.putLong(8, Layout.OutHeader.SIZE);
    v.putLong(16, lastDataAddress + data.position());
    v.putLong(24, n);
    answered = true;
    written(LibC.INSTANCE.writev(fd, iovec, 2), len);
  }

  /** Answers READLINK or an xattr value with these bytes. */
  public void replyData(byte[] bytes) {
    dataBuffer(bytes.length).put(bytes);
    send(bytes.length, 0);
  }

  /**
   * Answers a READ with up to {@code size} bytes of the descriptor {@code fd} at {@code offset}:
   * spliced from the file through a pipe into the device where the pipes are big enough, read
   * into the reply buffer otherwise. A read error becomes the answer's errno.
   */
  public void replyDataFrom(int fileFd, long offset, int size) {
    if (splicer == null) {
      splicer = DataSplicer.create(size);
    }
    if (splicer.usable(size)) {
      answered = true;
      splicer.reply(this, fd, fileFd, offset, size);
      return;
    }
    long n = LibC.INSTANCE.pread(fileFd, out.address + Layout.OutHeader.SIZE, size, offset);
    if (n < 0) {
      replyError(LibC.errno());
    } else {
      send((int) n, 0);
    }
  }

  /** Writes the out header for a body of {@code bodyLength} bytes at {@code out} (for the splicer). */
  void putHeader(int bodyLength, int error) {
    ByteBuffer b = out.buffer;
    b.putInt(Layout.OutHeader.LEN, Layout.OutHeader.SIZE + bodyLength);
    b.putInt(Layout.OutHeader.ERROR, error);
    b.putLong(Layout.OutHeader.UNIQUE, unique);
  }

  /** Sends the header and body already in the reply buffer (for the splicer's fallback). */
  void sendPrepared(int bodyLength, int error) {
    send(bodyLength, error);
  }

  /** A listing of at most {@code size} bytes for READDIR or READDIRPLUS; send it with its reply(). */
  public DirectoryListing listing(int size) {
    listing.reset(Math.min(size, out.capacity() - Layout.OutHeader.SIZE));
    return listing;
  }

  void sendListing(int used) {
    send(used, 0);
  }

  void close() {
    if (splicer != null) {
      splicer.close();
    }
  }
}
