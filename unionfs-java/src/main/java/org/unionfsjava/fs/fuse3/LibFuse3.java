package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;

/**
 * The functions of libfuse 3's low-level API (libfuse3.so.3, fuse_lowlevel.h) the union calls.
 * Symbols resolve to their default versions; the multi-threaded loop is bound by its versioned
 * name {@code fuse_session_loop_mt_312}, which libfuse exports as well.
 */
public interface LibFuse3 {

  /** FUSE_VERSION of the loaded library, e.g. 314. */
  int fuse_version();

  /** A session from argv-style options ({@code struct fuse_args}) and a lowlevel_ops table. */
  Pointer fuse_session_new(Pointer args, Pointer ops, @size_t long opSize, Pointer userData);

  int fuse_session_mount(Pointer se, Pointer mountPoint);

  int fuse_set_signal_handlers(Pointer se);

  void fuse_remove_signal_handlers(Pointer se);

  /** Serves one request at a time until unmounted or a signal asks to stop. */
  int fuse_session_loop(Pointer se);

  /** Serves with a pool of worker threads ({@code config} from fuse_loop_cfg_create). */
  int fuse_session_loop_mt_312(Pointer se, Pointer config);

  Pointer fuse_loop_cfg_create();

  void fuse_loop_cfg_set_max_threads(Pointer config, int maxThreads);

  void fuse_loop_cfg_destroy(Pointer config);

  void fuse_session_unmount(Pointer se);

  void fuse_session_destroy(Pointer se);

  /** The calling request's {@code struct fuse_ctx} (uid, gid, pid, umask). */
  Pointer fuse_req_ctx(Pointer req);

  int fuse_reply_err(Pointer req, int err);

  void fuse_reply_none(Pointer req);

  int fuse_reply_entry(Pointer req, Pointer entryParam);

  int fuse_reply_create(Pointer req, Pointer entryParam, Pointer fi);

  int fuse_reply_attr(Pointer req, Pointer stat, double attrTimeout);

  int fuse_reply_readlink(Pointer req, Pointer link);

  int fuse_reply_open(Pointer req, Pointer fi);

  int fuse_reply_write(Pointer req, @size_t long count);

  int fuse_reply_buf(Pointer req, Pointer buf, @size_t long size);

  /** Answers with the data a {@code struct fuse_bufvec} names (here: a range of a descriptor). */
  int fuse_reply_data(Pointer req, Pointer bufv, int flags);

  int fuse_reply_statfs(Pointer req, Pointer statvfs);

  int fuse_reply_xattr(Pointer req, @size_t long count);

  /** Writes one directory entry into buf if it fits; returns the entry's size either way. */
  @size_t long fuse_add_direntry(Pointer req, Pointer buf, @size_t long bufSize, Pointer name, Pointer stat, long nextOffset);

  /** As fuse_add_direntry, with a {@code struct fuse_entry_param} (readdirplus). */
  @size_t long fuse_add_direntry_plus(Pointer req, Pointer buf, @size_t long bufSize, Pointer name, Pointer entryParam, long nextOffset);

  /** Replaces libfuse's log function (default: fprintf to stderr); libfuse 3.7 and later. */
  void fuse_set_log_func(LowLevelCallbacks.Log func);

  /**
   * vsnprintf(3) of the C library (found through libfuse's own dependencies), to format what
   * libfuse hands its log function; a {@code va_list} argument is passed on as the pointer the
   * callback received (x86_64 and aarch64 pass it by reference).
   */
  int vsnprintf(Pointer buf, @size_t long size, Pointer format, Pointer args);

  /**
   * libfuse3.so.3 (the runtime package {@code libfuse3-3}, no -dev package needed), bound on the
   * first call and shared by every later one (jnr-ffi writes the binding's classes at run time).
   */
  static LibFuse3 load() {
    return BoundLibFuse3.LIBRARY;
  }
}
