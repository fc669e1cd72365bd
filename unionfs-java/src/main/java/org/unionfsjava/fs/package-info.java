/**
 * The union filesystem on FUSE: the adapters, the operations, the caches and the mount.
 *
 * <h2>Request path</h2>
 *
 * <pre>
 * kernel ──/dev/fuse──▶ libfuse 3 (low-level, one loop + readers) ──fuse3 binding──▶ UnionLowLevel
 *        (-Dunionfs.fuse=2: libfuse2 (high-level) ──jnr-fuse──▶ UnionFuse)
 *   UnionLowLevel: decode ▶ Barrier.call ▶ NodeLayer (node ids ▶ paths, NodeTable) ▶ UnionOps ▶ answer (fuse_reply_*)
 *   UnionFuse:     path ▶ Barrier.call ▶ UnionOps ▶ encode (struct stat, filler, errno)
 *   UnionOps:      resolve (ResolutionCache) ▶ act (model: Namespace, CopyUp) ▶ invalidate ▶ result
 * </pre>
 *
 * <p>The adapters ({@code UnionLowLevel}, {@link org.unionfsjava.fs.UnionFuse}) know FUSE and jnr types and nothing of unions; {@code
 * NodeLayer} does on node ids what libfuse's high-level API did on paths (the node table, hiding
 * open files that are unlinked, the page cache decision at open); {@code UnionOps}
 * knows unions and nothing of jnr. Read and write never enter {@code UnionOps}: the adapter takes
 * the open file's descriptor from the {@code OpenFileTable} and calls pread/pwrite on FUSE's own
 * buffer (no copy through the Java heap); on libfuse 3, where no branch is on NFS, a read is
 * answered by handing libfuse the descriptor and range (fuse_reply_data), which it splices into
 * the kernel's buffer. On NFS a read that meets ESTALE is retried once on a reopened
 * descriptor ({@code Replies.read}); a spliced read could not be, so there the union reads itself.
 *
 * <h2>Errors</h2>
 *
 * Every callback runs inside {@code Barrier.call}: a {@code UnionException} answers its errno, any
 * other {@code IOException} goes through {@code ErrnoMapper}, anything else is a bug, is logged and
 * answers EIO. Numbers come from {@code nativeio.Errnos} only.
 *
 * <h2>Caching and invalidation</h2>
 *
 * Two caches stack: the kernel's (entry, attribute and negative timeouts; page cache) and the
 * union's {@code ResolutionCache} (names resolved across branches, negative entries included).
 * In {@link org.unionfsjava.fs.LowerMode#CHANGING} mode both trust facts from a lower for at most
 * the cache TTL (default 1 s), so a change made directly in a lower shows within that time; in
 * {@link org.unionfsjava.fs.LowerMode#FIXED} mode they keep them (kernel timeouts one hour, page
 * cache kept). What the upper alone decides is never expired: only the union writes the upper.
 * Attributes of upper objects are never cached by the union (they change through open files);
 * each getattr reads them fresh, which costs one lstat. The origin an upper object recorded (its
 * inode number's source) is read once per resolution: only copy-up and rename set or move it, and
 * both drop the name's resolution.
 *
 * <table>
 *   <caption>What each operation drops from the union's cache</caption>
 *   <tr><th>operation</th><th>invalidated</th></tr>
 *   <tr><td>create, mknod, mkdir, symlink</td><td>the new name (and every ancestor it copied up)</td></tr>
 *   <tr><td>link</td><td>both names</td></tr>
 *   <tr><td>unlink, rmdir</td><td>the name (its subtree goes with it)</td></tr>
 *   <tr><td>rename, exchange (RENAME_EXCHANGE)</td><td>both names (their subtrees go with them)</td></tr>
 *   <tr><td>open for write, truncate, chmod, chown, utimens, set/remove xattr</td>
 *       <td>the name, when it was copied up</td></tr>
 * </table>
 *
 * <p>In fixed mode a lower directory that missed {@code FixedLowerListings.MISSES_BEFORE_LISTING}
 * lookups is listed once, and later lookups of names it lacks are answered from the listing (no
 * lstat); the listings are bounded in names. The upper is never listed: it changes with every
 * create and unlink through the union. A change made below a fixed mount anyway is found where
 * the daemon meets it (a readdir that differs from a kept listing, a listed name gone); then the
 * listing is replaced and the whole lookup cache dropped, so listing and lookup answer from one
 * state of the directory. Nothing is checked where nothing contradicts.
 *
 * <p>The union's cache is bounded in estimated heap bytes, {@code Tuning.DEFAULT_CACHE_BYTES} (what
 * 100,000 names of short paths take, about 55-60 MiB; a name weighs a fixed 470 bytes plus one per
 * character of its name, union path and branch paths; docs/memory.md), so long paths cannot
 * outgrow the heap; evicted by Caffeine's frequency-aware policy.
 * The other per-name memory of the daemon is the node table ({@code NodeTable} on libfuse 3, in
 * the heap; libfuse2's own outside it): one node per inode the kernel holds, freed when the kernel
 * forgets the inode.
 *
 * <p>Dropping a name drops its subtree in one step, because cached names are keyed by their
 * parent's entry; an ancestor that came from a lower is dropped too, since the copy-up changed
 * its layers.
 *
 * <h2>Round trips</h2>
 *
 * A FUSE round trip costs about 15-20 us here, more than most of what the union does for it, so
 * the adapters avoid the ones they can: there is no flush callback (nothing is buffered in the
 * daemon and locks are the kernel's; libfuse answers ENOSYS once and the kernel stops sending
 * FLUSH on close); readdir passes d_ino and d_type so that listing tools need no GETATTR per
 * entry, and on libfuse 3 full attributes and nodes (readdirplus: no LOOKUP per listed name); a
 * directory is listed at its first READDIR, not at OPENDIR too. On libfuse 3 the kernel keeps
 * POSIX ACLs (no GETXATTR of system.posix_acl_* per {@code ls -l} entry) and, in fixed lower
 * mode, whole listings. What remains (a GETXATTR per {@code ls -l} entry for the SELinux probe;
 * on libfuse2 also the ACL probe and OPENDIR/READDIR/RELEASEDIR for every listing) is named in
 * the benchmark's results.
 *
 * <h2>Open files</h2>
 *
 * An open for reading uses the branch that has the file; an open for writing or with O_TRUNC
 * copies it up first (O_TRUNC copies no data). A read-only descriptor opened on a lower file keeps
 * reading the lower after another open copied the file up, as in kernel overlayfs. A file unlinked
 * while open is renamed to a hidden name (by libfuse2, or by {@code UnionLowLevel} the same way)
 * and stays reachable through it ({@code UnlinkedOpenFiles}); it leaves the work directory when
 * its last union handle closes. Its link count (fstat) is the names it has left in the union: 0,
 * or the other names of a hard link; the link that keeps it in the work directory is not counted.
 *
 * <p>fallocate passes the mode to the open upper file as it is. The kernel's FUSE module sends
 * only KEEP_SIZE, PUNCH_HOLE and ZERO_RANGE to a server ({@code fuse_file_fallocate} in
 * fs/fuse/file.c, checked on 6.18): it answers COLLAPSE_RANGE, INSERT_RANGE and every other mode
 * EOPNOTSUPP itself, before any request, so no FUSE filesystem offers them, whatever the upper's
 * filesystem can do (kernel overlayfs passes them on to an ext4 or xfs upper).
 *
 * <h2>Names are bytes</h2>
 *
 * The daemon runs with {@code file.encoding=ISO-8859-1}, so the names libfuse hands over (decoded by the fuse3 binding, or by jnr-fuse) carry one char
 * per byte and the core keeps them so ({@code LosslessNames}); only the native BranchIo turns them
 * into syscalls. Text from the command line is converted once ({@code NameCharset.fromPlatform}),
 * and so are the arguments of child processes (ProcessBuilder encodes with the default charset).
 *
 * <h2>One union per upper</h2>
 *
 * An upper and its work directory serve one union at a time: two would each write the upper
 * behind the other's caches, and each empties the work directory's temporaries at mount, under
 * the other's copy-ups. {@link org.unionfsjava.fs.UpperLock} makes it so: the serving process
 * holds flock(2) on both directories for the mount's life (taken before the work directory is
 * touched, so a refused mount changes nothing) and names itself in {@code WORK/holder}; the
 * kernel drops the lock when the server ends, also by SIGKILL, so a crash leaves nothing stale.
 * A directory that a kernel overlayfs mount uses as upperdir or workdir (by absolute path in
 * /proc/self/mountinfo) is refused too; the kernel cannot see the union's lock, so an overlay
 * mounted after the union is not stopped. Offline tools that change an upper take the same lock.
 *
 * <h2>Mount options</h2>
 *
 * On libfuse 3, the default ({@code UnionLowLevel}): {@code fsname} and {@code subtype} so that
 * /proc/mounts shows the type {@code fuse.unionfs-java} and, as the source, the branches
 * ({@code UPPER:LOWER1:LOWER2}, {@code MountSource}); {@code default_permissions} (the kernel checks
 * modes against what getattr reports) and, as root, {@code allow_other}, {@code dev} and {@code
 * suid}; everything else is answered per request: entry, attribute and negative timeouts from the
 * lower mode (one hour in fixed mode, the TTL in changing mode), keep_cache on every open in fixed
 * mode and, in changing mode, only while the file's mtime and size are what the last open saw
 * (libfuse's auto_cache); in fixed mode OPENDIR answered ENOSYS, so the kernel opens directories
 * itself and keeps their listings (FOPEN_CACHE_DIR); capabilities at init: POSIX ACLs,
 * readdirplus, parallel directory operations; HANDLE_KILLPRIV refused, so the kernel, not the
 * daemon (which writes as root), clears set-id bits on write. st_ino and d_ino are the union's own
 * numbers; node ids are the node table's. One loop thread ({@code fuse_session_loop}) and four
 * reader threads that answer READs beside it.
 *
 * <p>On libfuse2 ({@code -Dunionfs.fuse=2}) they are chosen in {@code UnionMount.fuseArguments}:
 * the same mount options; {@code use_ino}; {@code big_writes} with {@code max_write=131072};
 * kernel timeouts and {@code auto_cache}/{@code kernel_cache} from the lower mode; {@code -s}, one
 * request at a time, because libfuse2's multi-threaded loop can deadlock in its path-lock queue
 * when renames race (libfuse issue #695, fixed in libfuse 3.13 by PR #699).
 */
package org.unionfsjava.fs;
