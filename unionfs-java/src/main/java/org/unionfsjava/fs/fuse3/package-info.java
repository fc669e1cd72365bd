/**
 * A direct jnr-ffi binding of libfuse 3's low-level API (fuse_lowlevel.h), the union's default
 * FUSE library; the adapter over {@code UnionOps} is {@code org.unionfsjava.fs.UnionLowLevel},
 * with its own node table ({@code org.unionfsjava.fs.NodeTable}). It lets the union negotiate
 * what libfuse2 cannot (FUSE_CAP_POSIX_ACL, readdirplus, FOPEN_CACHE_DIR, renameat2 flags, 1 MiB
 * requests) and answer per request what the high-level API fixes per mount (entry and attribute
 * timeouts, keep_cache).
 *
 * <h2>Pieces</h2>
 *
 * <ul>
 *   <li>{@link org.unionfsjava.fs.fuse3.LibFuse3}: the functions called from libfuse3.so.3
 *       (session set-up, loops, fuse_reply_*, fuse_add_direntry*, fuse_req_ctx); no -dev package
 *       at run time.
 *   <li>{@code Fuse3Abi}: slots of struct fuse_lowlevel_ops and offsets of fuse_entry_param,
 *       fuse_file_info (bit-fields), fuse_conn_info, fuse_ctx, fuse_args, fuse_forget_data, stat
 *       and statvfs for 3.14 on x86_64, printed by {@code src/test/c/fuse3-lowlevel-offsets.c}.
 *   <li>{@link org.unionfsjava.fs.fuse3.LowLevelCallbacks}: one {@code @Delegate} interface per
 *       C signature (public, or jnr-ffi silently never runs them).
 *   <li>{@link org.unionfsjava.fs.fuse3.LowLevelSession}: fills struct fuse_lowlevel_ops with
 *       closures that decode names and wrap file info, creates the session (mount options as
 *       argv), mounts, installs libfuse's signal handlers, runs the loop and tears down. Members
 *       left NULL (flush, fsyncdir, locks, ioctl, lseek, copy_file_range, ...) are answered ENOSYS
 *       by libfuse.
 *   <li>{@link org.unionfsjava.fs.fuse3.Request}: one request and its answers; structures go
 *       through a native scratch area per thread; {@link org.unionfsjava.fs.fuse3.Request.Listing}
 *       packs directory entries the kernel's way.
 *   <li>{@link org.unionfsjava.fs.fuse3.LowLevelOperations}: what the adapter implements; each
 *       method answers its request exactly once. The session answers EIO for anything that
 *       escapes before an answer.
 * </ul>
 *
 * <h2>Known limits</h2>
 *
 * <ul>
 *   <li>x86_64 only (the offsets are not computed for other ABIs): elsewhere {@code FuseLibrary}
 *       selects libfuse2.
 *   <li>RENAME_NOREPLACE is check-then-rename (not atomic against a change made beneath the
 *       union); RENAME_EXCHANGE swaps the two names (the model's {@code Namespace.exchange}, the
 *       node table's {@code exchanged}); RENAME_WHITEOUT, and EXCHANGE with NOREPLACE, answer
 *       EINVAL (kernel overlayfs answers RENAME_WHITEOUT EINVAL too). On libfuse2
 *       ({@code -Dunionfs.fuse=2}) rename has no flags: the kernel answers every renameat2 flag
 *       EINVAL itself.
 *   <li>One loop thread by default (with reader threads for READ, in the adapter); libfuse's
 *       worker pool ({@code -Dunionfs.fuse3.threads=multi}) is safe but slower on metadata on two
 *       cores, so it stays opt-in.
 * </ul>
 */
package org.unionfsjava.fs.fuse3;
