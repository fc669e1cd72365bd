package org.unionfsjava.transport;

/**
 * Byte offsets and sizes of the FUSE protocol structures (fuse.h, 7.45), little-endian and the
 * same on every 64-bit Linux. One nested class per {@code struct fuse_x} (class {@code X} in
 * CamelCase); each constant is the offset of the field of the same name, {@code SIZE} the
 * struct's size. {@code LayoutTest} compiles a C program that prints offsetof() of every constant
 * against the system's linux/fuse.h and compares.
 *
 * <p>Sizes that the protocol version decides: fuse_init_in is 16 bytes before 7.36 (no flags2),
 * fuse_setxattr_in is 8 bytes unless SETXATTR_EXT was negotiated; everything else the daemon
 * reads or writes has had its present size since 7.23 (the oldest kernel this transport serves is
 * 5.10, protocol 7.31/7.32).
 */
public final class Layout {
  private Layout() {}

  /** FUSE_NAME_OFFSET etc. align variable-length records to 8 bytes. */
  static int align8(int n) {
    return (n + 7) & ~7;
  }

  public static final class InHeader {
    private InHeader() {}
    public static final int LEN = 0, OPCODE = 4, UNIQUE = 8, NODEID = 16, UID = 24, GID = 28,
        PID = 32, TOTAL_EXTLEN = 36, SIZE = 40;
  }

  public static final class OutHeader {
    private OutHeader() {}
    public static final int LEN = 0, ERROR = 4, UNIQUE = 8, SIZE = 16;
  }

  public static final class Attr {
    private Attr() {}
    public static final int INO = 0, SIZE_ = 8, BLOCKS = 16, ATIME = 24, MTIME = 32, CTIME = 40,
        ATIMENSEC = 48, MTIMENSEC = 52, CTIMENSEC = 56, MODE = 60, NLINK = 64, UID = 68,
        GID = 72, RDEV = 76, BLKSIZE = 80, FLAGS = 84, SIZE = 88;
  }

  public static final class EntryOut {
    private EntryOut() {}
    public static final int NODEID = 0, GENERATION = 8, ENTRY_VALID = 16, ATTR_VALID = 24,
        ENTRY_VALID_NSEC = 32, ATTR_VALID_NSEC = 36, ATTR = 40, SIZE = 128;
  }

  public static final class AttrOut {
    private AttrOut() {}
    public static final int ATTR_VALID = 0, ATTR_VALID_NSEC = 8, ATTR = 16, SIZE = 104;
  }

  public static final class ForgetIn {
    private ForgetIn() {}
    public static final int NLOOKUP = 0, SIZE = 8;
  }

  public static final class ForgetOne {
    private ForgetOne() {}
    public static final int NODEID = 0, NLOOKUP = 8, SIZE = 16;
  }

  public static final class BatchForgetIn {
    private BatchForgetIn() {}
    public static final int COUNT = 0, SIZE = 8;
  }

  public static final class GetattrIn {
    private GetattrIn() {}
    public static final int GETATTR_FLAGS = 0, FH = 8, SIZE = 16;
  }

  public static final class SetattrIn {
    private SetattrIn() {}
    public static final int VALID = 0, FH = 8, SIZE_ = 16, LOCK_OWNER = 24, ATIME = 32,
        MTIME = 40, CTIME = 48, ATIMENSEC = 56, MTIMENSEC = 60, CTIMENSEC = 64, MODE = 68,
        UID = 76, GID = 80, SIZE = 88;
  }

  public static final class MknodIn {
    private MknodIn() {}
    public static final int MODE = 0, RDEV = 4, UMASK = 8, SIZE = 16;
  }

  public static final class MkdirIn {
    private MkdirIn() {}
    public static final int MODE = 0, UMASK = 4, SIZE = 8;
  }

  public static final class RenameIn {
    private RenameIn() {}
    public static final int NEWDIR = 0, SIZE = 8;
  }

  public static final class Rename2In {
    private Rename2In() {}
    public static final int NEWDIR = 0, FLAGS = 8, SIZE = 16;
  }

  public static final class LinkIn {
    private LinkIn() {}
    public static final int OLDNODEID = 0, SIZE = 8;
  }

  public static final class OpenIn {
    private OpenIn() {}
    public static final int FLAGS = 0, OPEN_FLAGS = 4, SIZE = 8;
  }

  public static final class CreateIn {
    private CreateIn() {}
    public static final int FLAGS = 0, MODE = 4, UMASK = 8, OPEN_FLAGS = 12, SIZE = 16;
  }

  public static final class OpenOut {
    private OpenOut() {}
    /** backing_id was padding before 7.40: older kernels ignore it. */
    public static final int FH = 0, OPEN_FLAGS = 8, BACKING_ID = 12, SIZE = 16;
  }

  public static final class ReleaseIn {
    private ReleaseIn() {}
    public static final int FH = 0, FLAGS = 8, RELEASE_FLAGS = 12, LOCK_OWNER = 16, SIZE = 24;
  }

  public static final class FlushIn {
    private FlushIn() {}
    public static final int FH = 0, LOCK_OWNER = 16, SIZE = 24;
  }

  public static final class ReadIn {
    private ReadIn() {}
    public static final int FH = 0, OFFSET = 8, SIZE_ = 16, READ_FLAGS = 20, LOCK_OWNER = 24,
        FLAGS = 32, SIZE = 40;
  }

  public static final class WriteIn {
    private WriteIn() {}
    public static final int FH = 0, OFFSET = 8, SIZE_ = 16, WRITE_FLAGS = 20, LOCK_OWNER = 24,
        FLAGS = 32, SIZE = 40;
  }

  public static final class WriteOut {
    private WriteOut() {}
    public static final int SIZE_ = 0, SIZE = 8;
  }

  public static final class Kstatfs {
    private Kstatfs() {}
    public static final int BLOCKS = 0, BFREE = 8, BAVAIL = 16, FILES = 24, FFREE = 32,
        BSIZE = 40, NAMELEN = 44, FRSIZE = 48, SIZE = 80;
  }

  public static final class FsyncIn {
    private FsyncIn() {}
    public static final int FH = 0, FSYNC_FLAGS = 8, SIZE = 16;
  }

  public static final class SetxattrIn {
    private SetxattrIn() {}
    /** The size before SETXATTR_EXT (FUSE_COMPAT_SETXATTR_IN_SIZE). */
    public static final int COMPAT_SIZE = 8;
    public static final int SIZE_ = 0, FLAGS = 4, SETXATTR_FLAGS = 8, SIZE = 16;
  }

  public static final class GetxattrIn {
    private GetxattrIn() {}
    public static final int SIZE_ = 0, SIZE = 8;
  }

  public static final class GetxattrOut {
    private GetxattrOut() {}
    public static final int SIZE_ = 0, SIZE = 8;
  }

  public static final class AccessIn {
    private AccessIn() {}
    public static final int MASK = 0, SIZE = 8;
  }

  public static final class InitIn {
    private InitIn() {}
    /** What a kernel before 7.36 sends (no flags2, no unused words). */
    public static final int COMPAT_SIZE = 16;
    public static final int MAJOR = 0, MINOR = 4, MAX_READAHEAD = 8, FLAGS = 12, FLAGS2 = 16,
        SIZE = 64;
  }

  public static final class InitOut {
    private InitOut() {}
    /** max_stack_depth (7.40) and request_timeout (7.43) were unused words before. */
    public static final int MAJOR = 0, MINOR = 4, MAX_READAHEAD = 8, FLAGS = 12,
        MAX_BACKGROUND = 16, CONGESTION_THRESHOLD = 18, MAX_WRITE = 20, TIME_GRAN = 24,
        MAX_PAGES = 28, MAP_ALIGNMENT = 30, FLAGS2 = 32, MAX_STACK_DEPTH = 36,
        REQUEST_TIMEOUT = 40, SIZE = 64;
  }

  public static final class InterruptIn {
    private InterruptIn() {}
    public static final int UNIQUE = 0, SIZE = 8;
  }

  public static final class FallocateIn {
    private FallocateIn() {}
    public static final int FH = 0, OFFSET = 8, LENGTH = 16, MODE = 24, SIZE = 32;
  }

  public static final class Dirent {
    private Dirent() {}
    public static final int INO = 0, OFF = 8, NAMELEN = 16, TYPE = 20, NAME = 24, SIZE = 24;
  }

  public static final class Direntplus {
    private Direntplus() {}
    public static final int ENTRY_OUT = 0, DIRENT = 128, SIZE = 152;
  }

  public static final class NotifyInvalInodeOut {
    private NotifyInvalInodeOut() {}
    public static final int INO = 0, OFF = 8, LEN = 16, SIZE = 24;
  }

  public static final class NotifyInvalEntryOut {
    private NotifyInvalEntryOut() {}
    public static final int PARENT = 0, NAMELEN = 8, FLAGS = 12, SIZE = 16;
  }

  public static final class NotifyDeleteOut {
    private NotifyDeleteOut() {}
    public static final int PARENT = 0, CHILD = 8, NAMELEN = 16, SIZE = 24;
  }

  public static final class LseekIn {
    private LseekIn() {}
    public static final int FH = 0, OFFSET = 8, WHENCE = 16, SIZE = 24;
  }

  public static final class LseekOut {
    private LseekOut() {}
    public static final int OFFSET = 0, SIZE = 8;
  }

  public static final class CopyFileRangeIn {
    private CopyFileRangeIn() {}
    public static final int FH_IN = 0, OFF_IN = 8, NODEID_OUT = 16, FH_OUT = 24, OFF_OUT = 32,
        LEN = 40, FLAGS = 48, SIZE = 56;
  }

  /** struct fuse_backing_map (7.40): the argument of FUSE_DEV_IOC_BACKING_OPEN. */
  public static final class BackingMap {
    private BackingMap() {}
    public static final int FD = 0, FLAGS = 4, SIZE = 16;
  }

  public static final class StatxIn {
    private StatxIn() {}
    public static final int GETATTR_FLAGS = 0, FH = 8, SX_FLAGS = 16, SX_MASK = 20, SIZE = 24;
  }

  public static final class StatxOut {
    private StatxOut() {}
    public static final int ATTR_VALID = 0, ATTR_VALID_NSEC = 8, FLAGS = 12, STAT = 32,
        SIZE = 288;
  }

  /** struct fuse_statx: bit for bit struct statx of statx(2). */
  public static final class Statx {
    private Statx() {}
    public static final int MASK = 0, BLKSIZE = 4, ATTRIBUTES = 8, NLINK = 16, UID = 20,
        GID = 24, MODE = 28, INO = 32, SIZE_ = 40, BLOCKS = 48, ATTRIBUTES_MASK = 56, ATIME = 64,
        BTIME = 80, CTIME = 96, MTIME = 112, RDEV_MAJOR = 128, RDEV_MINOR = 132, DEV_MAJOR = 136,
        DEV_MINOR = 140, SIZE = 256;
  }
}
