package org.unionfsjava.fs.fuse3;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.unionfsjava.fs.nativeio.StatLayout;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.Stat;

/**
 * One low-level request ({@code fuse_req_t}) and the ways to answer it. Every request is answered
 * exactly once (forget gets no answer); the reply methods that give the kernel a reference (entry,
 * create, open) return false when the kernel did not take it (the request was interrupted), so
 * the caller can drop what it counted.
 *
 * <p>Structures go through one native scratch area per thread.
 */
public final class Request {
  private static final StatLayout STAT = StatLayout.X86_64;
  /** Room for a NUL-terminated name or link target of up to PATH_MAX bytes. */
  private static final int NAME_ROOM = 4096 + 8;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** A thread's native scratch: an entry param (its stat doubles as a plain stat), a name, a buffer. */
  private static final class Scratch {
    final Pointer entry = Memory.allocateDirect(Runtime.getSystemRuntime(), Fuse3Abi.ENTRY_SIZE, true);
    final Pointer name = Memory.allocateDirect(Runtime.getSystemRuntime(), NAME_ROOM, true);
    Pointer buffer = Memory.allocateDirect(Runtime.getSystemRuntime(), 4096, true);
    final Pointer bufvec = Memory.allocateDirect(Runtime.getSystemRuntime(), Fuse3Abi.BUFVEC_SIZE, true);
    long bufferSize = 4096;

    Pointer buffer(long size) {
      if (size > bufferSize) {
        long grown = Math.max(size, bufferSize * 2);
        buffer = Memory.allocateDirect(Runtime.getSystemRuntime(), grown, true);
        bufferSize = grown;
      }
      return buffer;
    }
  }

  private final LibFuse3 lib;
  private final Pointer req;
  private boolean answered;

  Request(LibFuse3 lib, Pointer req) {
    this.lib = lib;
    this.req = req;
  }

  boolean answered() {
    return answered;
  }

  private int done(int rc) {
    answered = true;
    return rc;
  }

  /** The caller's uid (fuse_req_ctx). */
  public int uid() {
    return lib.fuse_req_ctx(req).getInt(Fuse3Abi.CTX_UID);
  }

  /** The caller's gid. */
  public int gid() {
    return lib.fuse_req_ctx(req).getInt(Fuse3Abi.CTX_GID);
  }

  /** Answers with an error (a positive errno) or, with 0, success without data. */
  public void error(int errno) {
    done(lib.fuse_reply_err(req, errno));
  }

  public void ok() {
    error(0);
  }

  void none() {
    answered = true;
    lib.fuse_reply_none(req);
  }

  private Pointer entryParam(long nodeId, Stat st, double timeout) {
    Pointer e = SCRATCH.get().entry;
    e.putLong(Fuse3Abi.ENTRY_INO, nodeId);
    e.putLong(Fuse3Abi.ENTRY_GENERATION, 0L); // node ids are never reused
    STAT.write(st, e.slice(Fuse3Abi.ENTRY_ATTR));
    e.putDouble(Fuse3Abi.ENTRY_ATTR_TIMEOUT, timeout);
    e.putDouble(Fuse3Abi.ENTRY_TIMEOUT, timeout);
    return e;
  }

  /** Answers a lookup or a create-like call with a node; false if the kernel did not take it. */
  public boolean entry(long nodeId, Stat st, double timeout) {
    return done(lib.fuse_reply_entry(req, entryParam(nodeId, st, timeout))) == 0;
  }

  /** Answers a lookup of a missing name: the kernel keeps the negative entry for the timeout. */
  public void negativeEntry(double timeout) {
    Pointer e = SCRATCH.get().entry;
    e.setMemory(0, Fuse3Abi.ENTRY_SIZE, (byte) 0);
    e.putDouble(Fuse3Abi.ENTRY_TIMEOUT, timeout);
    done(lib.fuse_reply_entry(req, e));
  }

  /** Answers create with the new node and the open file; false if the kernel did not take it. */
  public boolean create(long nodeId, Stat st, double timeout, FileInfo fi) {
    return done(lib.fuse_reply_create(req, entryParam(nodeId, st, timeout), fi.pointer())) == 0;
  }

  public void attr(Stat st, double timeout) {
    Pointer e = SCRATCH.get().entry;
    STAT.write(st, e);
    done(lib.fuse_reply_attr(req, e, timeout));
  }

  public void readlink(String target) {
    byte[] b = NameCharset.bytes(target);
    Pointer n = SCRATCH.get().name;
    int len = Math.min(b.length, NAME_ROOM - 1);
    n.put(0, b, 0, len);
    n.putByte(len, (byte) 0);
    done(lib.fuse_reply_readlink(req, n));
  }

  /** Answers open or opendir with the handle set in {@code fi}; false if the kernel did not take it. */
  public boolean open(FileInfo fi) {
    return done(lib.fuse_reply_open(req, fi.pointer())) == 0;
  }

  public void written(long count) {
    done(lib.fuse_reply_write(req, count));
  }

  /** A native buffer of at least {@code size} bytes for {@link #data(Pointer, long)} (per thread). */
  public static Pointer buffer(long size) {
    return SCRATCH.get().buffer(size);
  }

  public void data(Pointer buf, long size) {
    done(lib.fuse_reply_buf(req, buf, size));
  }

  /**
   * Answers a read with up to {@code size} bytes of {@code fd} at {@code offset}, which libfuse
   * reads itself: spliced from the descriptor into the kernel's buffer when the session wants
   * {@link Conn#SPLICE_WRITE}, else read into memory. A read error becomes the answer's errno
   * there, so the caller cannot retry (keep {@link #data(Pointer, long)} where it must).
   */
  public void dataFrom(int fd, long size, long offset) {
    Pointer v = SCRATCH.get().bufvec;
    v.putLong(Fuse3Abi.BUFVEC_COUNT, 1);
    v.putLong(Fuse3Abi.BUFVEC_IDX, 0);
    v.putLong(Fuse3Abi.BUFVEC_OFF, 0);
    v.putLong(Fuse3Abi.BUF_SIZE, size);
    v.putLong(Fuse3Abi.BUF_FLAGS, Fuse3Abi.FUSE_BUF_IS_FD | Fuse3Abi.FUSE_BUF_FD_SEEK);
    v.putLong(Fuse3Abi.BUF_MEM, 0);
    v.putLong(Fuse3Abi.BUF_FD, fd & 0xffffffffL);
    v.putLong(Fuse3Abi.BUF_POS, offset);
    done(lib.fuse_reply_data(req, v, Fuse3Abi.FUSE_BUF_SPLICE_MOVE));
  }

  public void data(byte[] bytes) {
    Pointer b = buffer(Math.max(1, bytes.length));
    b.put(0, bytes, 0, bytes.length);
    data(b, bytes.length);
  }

  /** Answers a getxattr or listxattr that asked for the size only. */
  public void xattrSize(long size) {
    done(lib.fuse_reply_xattr(req, size));
  }

  /** Answers statfs; the arguments are struct statvfs's fields. */
  public void statfs(long bsize, long frsize, long blocks, long bfree, long bavail, long files, long ffree, long namemax) {
    Pointer s = buffer(Fuse3Abi.STATVFS_SIZE);
    s.setMemory(0, Fuse3Abi.STATVFS_SIZE, (byte) 0);
    s.putLong(Fuse3Abi.SV_BSIZE, bsize);
    s.putLong(Fuse3Abi.SV_FRSIZE, frsize);
    s.putLong(Fuse3Abi.SV_BLOCKS, blocks);
    s.putLong(Fuse3Abi.SV_BFREE, bfree);
    s.putLong(Fuse3Abi.SV_BAVAIL, bavail);
    s.putLong(Fuse3Abi.SV_FILES, files);
    s.putLong(Fuse3Abi.SV_FFREE, ffree);
    s.putLong(Fuse3Abi.SV_FAVAIL, ffree);
    s.putLong(Fuse3Abi.SV_NAMEMAX, namemax);
    done(lib.fuse_reply_statfs(req, s));
  }

  /** A listing answer of at most {@code size} bytes; {@link Listing#send} answers the request. */
  public Listing listing(long size) {
    return new Listing(size);
  }

  /** Directory entries packed the kernel's way (fuse_add_direntry, fuse_add_direntry_plus). */
  public final class Listing {
    private final long size;
    private final Pointer buf;
    private long used;

    private Listing(long size) {
      this.size = size;
      // the thread's scratch buffer; each entry's name and stat go through scratch.name and .entry
      this.buf = buffer(size);
    }

    private Pointer name(byte[] name) {
      Pointer n = SCRATCH.get().name;
      n.put(0, name, 0, name.length);
      n.putByte(name.length, (byte) 0);
      return n;
    }

    /** Adds a name with its inode number and type; false (nothing added) when it does not fit. */
    public boolean add(byte[] name, long ino, int typeBits, long nextOffset) {
      Pointer st = SCRATCH.get().entry;
      st.setMemory(0, Fuse3Abi.ENTRY_SIZE, (byte) 0);
      st.putLong(Fuse3Abi.ST_INO, ino);
      st.putInt(Fuse3Abi.ST_MODE, typeBits);
      return fits(lib.fuse_add_direntry(req, buf.slice(used), size - used, name(name), st, nextOffset));
    }

    /**
     * Adds a name with its full attributes and node (readdirplus: the kernel counts a lookup of
     * the node when it takes the entry); node 0 gives the name without attributes. False (nothing
     * added) when it does not fit.
     */
    public boolean addPlus(byte[] name, long nodeId, Stat st, double timeout, long nextOffset) {
      Pointer e = entryParam(nodeId, st, timeout);
      if (nodeId == 0) {
        e.putDouble(Fuse3Abi.ENTRY_ATTR_TIMEOUT, 0);
        e.putDouble(Fuse3Abi.ENTRY_TIMEOUT, 0);
      }
      return fits(lib.fuse_add_direntry_plus(req, buf.slice(used), size - used, name(name), e, nextOffset));
    }

    private boolean fits(long entrySize) {
      if (entrySize > size - used) {
        return false;
      }
      used += entrySize;
      return true;
    }

    public void send() {
      data(buf, used);
    }
  }
}
