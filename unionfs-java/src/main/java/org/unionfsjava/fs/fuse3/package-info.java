/**
 * A direct jnr-ffi binding of libfuse 3's high-level (path-based) API, selected with {@code
 * -Dunionfs.fuse=3} and not yet the default ({@code org.unionfsjava.fs.FuseLibrary} says why): it
 * lets the union negotiate what libfuse2
 * cannot: FUSE_CAP_POSIX_ACL, readdirplus with full attributes, FOPEN_CACHE_DIR, renameat2
 * flags, 1 MiB requests, and a multi-threaded loop without libfuse2's path-lock deadlock (libfuse
 * #695, gone since 3.13). The adapter over {@code UnionOps} is {@code
 * org.unionfsjava.fs.UnionFuse3}.
 *
 * <h2>Pieces</h2>
 *
 * <ul>
 *   <li>{@link org.unionfsjava.fs.fuse3.LibFuse3}: the functions called (fuse_main_real,
 *       fuse_get_context, fuse_get_session, fuse_invalidate_path, fuse_version) from
 *       libfuse3.so.3; no -dev package at run time.
 *   <li>{@code Fuse3Abi}: offsets of struct fuse_operations, fuse_file_info (bit-fields),
 *       fuse_config, fuse_conn_info, fuse_context, statvfs for 3.14 on x86_64, printed by
 *       {@code src/test/c/fuse3-offsets.c}.
 *   <li>{@link org.unionfsjava.fs.fuse3.Fuse3Callbacks}: one {@code @Delegate} interface per C
 *       signature; paths and names arrive as pointers and are decoded one char per byte.
 *   <li>{@link org.unionfsjava.fs.fuse3.Fuse3Session}: fills struct fuse_operations with closures
 *       (each catches everything), runs fuse_main_real; members left NULL (flush, lock, flock,
 *       lseek, copy_file_range, ...) are answered ENOSYS by libfuse.
 *   <li>{@link org.unionfsjava.fs.fuse3.FillDir}: calls the fuse_fill_dir_t pointer with one jffi
 *       call per entry.
 * </ul>
 *
 * <h2>Known limits</h2>
 *
 * <ul>
 *   <li>libfuse before 3.16.1 drops cache_readdir/keep_cache set by a high-level opendir
 *       (libfuse PR #822). On 3.14 the session's low-level opendir is wrapped at init: this
 *       writes into libfuse's private struct fuse_session (offset 40 in 3.14), guarded by a
 *       version check and a mount point comparison; any other version gets no listing cache. The
 *       lasting fix is to require 3.16.1+ (Debian 13 has 3.17) or to move to the low-level API.
 *   <li>nullpath_ok is off: libfuse 3 would pass NULL paths to every call with a handle, and
 *       chmod/chown/utimens on an open file need the path. Turning it on needs handle-based
 *       variants of those UnionOps calls.
 *   <li>RENAME_NOREPLACE is check-then-rename (not atomic against a racing create);
 *       RENAME_EXCHANGE and RENAME_WHITEOUT answer EINVAL as they did on libfuse2.
 *   <li>x86_64 only (the offsets are not computed for other ABIs): elsewhere {@code FuseLibrary}
 *       selects libfuse2.
 *   <li>Under racing renames, unlinks and rmdirs a few opens, setattrs and listings answer
 *       ESTALE: libfuse 3's high-level layer answers ESTALE (libfuse2: ENOENT) for a node a
 *       concurrent change detached between the kernel's path walk and the request (seen with
 *       {@code --fuse-debug}: UNLINK of a name, then the other thread's OPEN or SETATTR of its
 *       old node id answered -116). The kernel retries once with a fresh lookup; a program sees
 *       ESTALE when the retry loses a second race. Independent of threads, readdirplus, ACLs and
 *       parallel dirops (each turned off in turn).
 * </ul>
 */
package org.unionfsjava.fs.fuse3;
