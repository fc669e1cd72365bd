package org.unionfsjava.transport;

/**
 * The request opcodes of the FUSE kernel protocol (enum fuse_opcode in the kernel's
 * include/uapi/linux/fuse.h, protocol 7.45 as in Linux 6.18). The dispatcher answers ENOSYS to the
 * ones it has no handler method for; the kernel then stops sending most of them.
 */
public enum Opcode {
  LOOKUP(1),
  FORGET(2),
  GETATTR(3),
  SETATTR(4),
  READLINK(5),
  SYMLINK(6),
  MKNOD(8),
  MKDIR(9),
  UNLINK(10),
  RMDIR(11),
  RENAME(12),
  LINK(13),
  OPEN(14),
  READ(15),
  WRITE(16),
  STATFS(17),
  RELEASE(18),
  FSYNC(20),
  SETXATTR(21),
  GETXATTR(22),
  LISTXATTR(23),
  REMOVEXATTR(24),
  FLUSH(25),
  INIT(26),
  OPENDIR(27),
  READDIR(28),
  RELEASEDIR(29),
  FSYNCDIR(30),
  GETLK(31),
  SETLK(32),
  SETLKW(33),
  ACCESS(34),
  CREATE(35),
  INTERRUPT(36),
  BMAP(37),
  DESTROY(38),
  IOCTL(39),
  POLL(40),
  NOTIFY_REPLY(41),
  BATCH_FORGET(42),
  FALLOCATE(43),
  READDIRPLUS(44),
  RENAME2(45),
  LSEEK(46),
  COPY_FILE_RANGE(47),
  SETUPMAPPING(48),
  REMOVEMAPPING(49),
  SYNCFS(50),
  TMPFILE(51),
  STATX(52),
  COPY_FILE_RANGE_64(53);

  private static final Opcode[] BY_CODE = new Opcode[64];

  static {
    for (Opcode o : values()) {
      BY_CODE[o.code] = o;
    }
  }

  /** The number on the wire (fuse_in_header.opcode). */
  public final int code;

  Opcode(int code) {
    this.code = code;
  }

  /** The opcode for a wire number, or null for one this protocol version does not define. */
  public static Opcode of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
