/**
 * Reliability and security tests (issue 4) on real mounts of {@code bin/unionfs-java}, in both
 * whiteout formats; root, {@code /dev/fuse} and {@code setpriv} (util-linux) are needed.
 *
 * <table>
 *   <caption>Classes and what they prove</caption>
 *   <tr><th>class</th><th>what</th></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.CrashSafetyTest}</td><td>SIGKILL of the daemon
 *       at seeded random points of a workload (64 MiB copy-ups, renames of files and of
 *       directories with lower content, whiteouts, mkdir over whiteouts, chmod, utimens, ...),
 *       then mount again: the tree is the old or the new one, never partial, nothing internal
 *       shows; 2 × 50 kills in CI ({@code ExpectedTree}, {@code MountedTree}, {@code CrashStep},
 *       {@code CrashPlanner} are its model, reader, steps and planner)</td></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.FullDiskTest}</td><td>ENOSPC (space and
 *       inodes) on a 16 MiB tmpfs upper, EROFS on an upper remounted read-only</td></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.StressTest}</td><td>8 threads of mixed
 *       operations ({@code StressRun}), watchdog, leaks of descriptors, threads and memory,
 *       upper fsck, the same tree after a remount</td></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.FsxTest}</td><td>fsx: read, write, truncate,
 *       mmap on one file against a model</td></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.OpenUnlinkedFileTest}</td><td>files unlinked
 *       while open, whose directory is then renamed or removed</td></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.PosixConformanceTest}</td><td>pjdfstest-like
 *       cases, union against a plain directory (kernel overlayfs as reference)</td></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.HostileInputTest}</td><td>odd, long,
 *       non-UTF-8 and reserved names, symlink loops, a symlink swapped in for a directory during
 *       operations</td></tr>
 *   <tr><td>{@link org.unionfsjava.e2e.reliability.OtherUsersTest}</td><td>a non-root user on a
 *       union mounted by root: modes, sticky directories, set-uid, owners kept on copy-up</td></tr>
 * </table>
 *
 * <pre>
 * mvn -B -o -pl test test -Dtest='org.unionfsjava.e2e.reliability.*Test'
 * mvn -B -o -pl test test -Dtest='CrashSafetyTest' -Dunionfs.long=true      # 2 x 250 kills
 * -Dunionfs.rel.seed=S  -Dunionfs.rel.kills=N  -Dunionfs.rel.stressSeconds=N  -Dunionfs.rel.fsxOps=N
 * </pre>
 *
 * Helpers of their own live in the support package under names starting with {@code Rel}:
 * {@code RelUnion} (mount with JVM options, SIGKILL, /proc figures), {@code RelTmpfs}, {@code
 * RelSyscalls} (raw byte paths, read, fstat, utimensat with UTIME_NOW/OMIT, mkfifo), {@code
 * RelUpperFsck}, {@code RelInternalNames}.
 */
package org.unionfsjava.e2e.reliability;
