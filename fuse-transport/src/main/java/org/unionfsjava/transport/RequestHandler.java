package org.unionfsjava.transport;

import java.nio.ByteBuffer;

/**
 * The filesystem behind a {@link Session}: the node-level operations of the FUSE protocol (what
 * libfuse calls its low-level API), one method per request. Nodes are the ids the handler gave
 * the kernel in entry replies ({@link Protocol#ROOT_ID} is the root); the kernel counts a lookup
 * for every entry it takes and gives them back with {@link #forget}.
 *
 * <p>Each method answers its {@link Request} exactly once before it returns (FORGET gets no
 * answer) and should not throw: the dispatcher answers EIO for what escapes or stays unanswered,
 * and logs it. The {@code ByteBuffer} arguments (names without their NUL, written data, xattr
 * values) are views over the request buffer from their position to their limit, valid only until
 * the method returns. The defaults answer ENOSYS; for most opcodes the kernel then stops sending
 * them (OPEN and OPENDIR answered ENOSYS mean "no open needed" where the kernel offers
 * NO_OPEN_SUPPORT / NO_OPENDIR_SUPPORT).
 *
 * <p>Methods run on the session's worker threads, several at a time.
 */
public interface RequestHandler {
  /** renameat2 flags (linux/fs.h). */
  int RENAME_NOREPLACE = 1;
  int RENAME_EXCHANGE = 2;
  int RENAME_WHITEOUT = 4;

  /** Before the INIT reply: ask for capabilities ({@link Connection#want}), once. */
  default void init(Connection connection) {}

  /** After DESTROY or the end of the session. */
  default void destroy() {}

  default void lookup(Request r, long parent, ByteBuffer name) {
    r.replyError(Errno.ENOSYS);
  }

  /** The kernel dropped {@code nlookup} references to {@code node}; from FORGET and BATCH_FORGET. */
  default void forget(long node, long nlookup) {}

  /** {@code fh} is valid when {@code (getattrFlags & Protocol.GETATTR_FH) != 0} (fstat). */
  default void getattr(Request r, long node, int getattrFlags, long fh) {
    r.replyError(Errno.ENOSYS);
  }

  default void setattr(Request r, long node, AttributeChange change) {
    r.replyError(Errno.ENOSYS);
  }

  default void readlink(Request r, long node) {
    r.replyError(Errno.ENOSYS);
  }

  default void symlink(Request r, long parent, ByteBuffer name, ByteBuffer target) {
    r.replyError(Errno.ENOSYS);
  }

  default void mknod(Request r, long parent, ByteBuffer name, int mode, int rdev, int umask) {
    r.replyError(Errno.ENOSYS);
  }

  default void mkdir(Request r, long parent, ByteBuffer name, int mode, int umask) {
    r.replyError(Errno.ENOSYS);
  }

  default void unlink(Request r, long parent, ByteBuffer name) {
    r.replyError(Errno.ENOSYS);
  }

  default void rmdir(Request r, long parent, ByteBuffer name) {
    r.replyError(Errno.ENOSYS);
  }

  /** RENAME (flags 0) and RENAME2 (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT). */
  default void rename(Request r, long parent, ByteBuffer name, long newParent, ByteBuffer newName, int flags) {
    r.replyError(Errno.ENOSYS);
  }

  default void link(Request r, long node, long newParent, ByteBuffer newName) {
    r.replyError(Errno.ENOSYS);
  }

  /** {@code flags}: open(2)'s flags without O_CREAT, O_EXCL, O_NOCTTY. */
  default void open(Request r, long node, int flags) {
    r.replyError(Errno.ENOSYS);
  }

  default void read(Request r, long node, long fh, long offset, int size, int flags) {
    r.replyError(Errno.ENOSYS);
  }

  /** {@code data}: the bytes to write at {@code offset}; answer with {@link Request#replyWrite}. */
  default void write(Request r, long node, long fh, long offset, ByteBuffer data, int writeFlags, int flags) {
    r.replyError(Errno.ENOSYS);
  }

  default void statfs(Request r, long node) {
    r.replyError(Errno.ENOSYS);
  }

  default void release(Request r, long node, long fh, int flags, int releaseFlags) {
    r.replyOk();
  }

  default void fsync(Request r, long node, long fh, boolean dataOnly) {
    r.replyError(Errno.ENOSYS);
  }

  default void setxattr(Request r, long node, ByteBuffer name, ByteBuffer value, int flags) {
    r.replyError(Errno.ENOSYS);
  }

  /** {@code size} 0 asks for the value's size ({@link Request#replyXattrSize}). */
  default void getxattr(Request r, long node, ByteBuffer name, int size) {
    r.replyError(Errno.ENOSYS);
  }

  /** {@code size} 0 asks for the list's size; the list is NUL-terminated names. */
  default void listxattr(Request r, long node, int size) {
    r.replyError(Errno.ENOSYS);
  }

  default void removexattr(Request r, long node, ByteBuffer name) {
    r.replyError(Errno.ENOSYS);
  }

  default void flush(Request r, long node, long fh, long lockOwner) {
    r.replyError(Errno.ENOSYS);
  }

  default void opendir(Request r, long node, int flags) {
    r.replyError(Errno.ENOSYS);
  }

  /**
   * READDIR ({@code plus} false) and READDIRPLUS: answer with a {@link Request#listing} of at most
   * {@code size} bytes, continuing after {@code offset} (an entry's nextOffset).
   */
  default void readdir(Request r, long node, long fh, long offset, int size, boolean plus) {
    r.replyError(Errno.ENOSYS);
  }

  default void releasedir(Request r, long node, long fh, int flags) {
    r.replyOk();
  }

  default void fsyncdir(Request r, long node, long fh, boolean dataOnly) {
    r.replyError(Errno.ENOSYS);
  }

  default void access(Request r, long node, int mask) {
    r.replyError(Errno.ENOSYS);
  }

  /** Answer with {@link Request#replyCreate}; ENOSYS makes the kernel use MKNOD and OPEN. */
  default void create(Request r, long parent, ByteBuffer name, int flags, int mode, int umask) {
    r.replyError(Errno.ENOSYS);
  }

  default void fallocate(Request r, long node, long fh, long offset, long length, int mode) {
    r.replyError(Errno.ENOSYS);
  }

  /** SEEK_DATA and SEEK_HOLE (the kernel answers the others itself). */
  default void lseek(Request r, long node, long fh, long offset, int whence) {
    r.replyError(Errno.ENOSYS);
  }

  /** Answer with {@link Request#replyWrite} (the count of bytes copied). */
  default void copyFileRange(Request r, long nodeIn, long fhIn, long offsetIn, long nodeOut, long fhOut,
      long offsetOut, long length, long flags) {
    r.replyError(Errno.ENOSYS);
  }
}
