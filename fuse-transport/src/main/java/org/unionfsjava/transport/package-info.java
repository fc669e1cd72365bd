/**
 * A FUSE transport of our own: the kernel protocol (include/uapi/linux/fuse.h, 7.45 as in Linux
 * 6.18, serving kernels from 7.31 on) spoken on /dev/fuse from Java, with jnr-ffi only for the
 * system calls. Nothing here knows the union; a front-end adapts the core's node operations to
 * {@link org.unionfsjava.transport.RequestHandler}. docs/transport.md has the protocol subset,
 * the threading, passthrough and what was measured.
 *
 * <h2>Pieces</h2>
 *
 * <ul>
 *   <li>The protocol: {@link org.unionfsjava.transport.Opcode}, {@link
 *       org.unionfsjava.transport.InitFlags}, {@link org.unionfsjava.transport.Protocol},
 *       {@link org.unionfsjava.transport.Layout} (every offset checked by LayoutTest against the
 *       header with gcc), {@link org.unionfsjava.transport.Errno}.
 *   <li>Mounting: {@link org.unionfsjava.transport.FuseMount} (mount(2) as root, fusermount3
 *       with the _FUSE_COMMFD socket otherwise; umount2 or fusermount3 -u; abort through
 *       /sys/fs/fuse/connections), {@link org.unionfsjava.transport.MountOptions}, {@link
 *       org.unionfsjava.transport.FuseDevice} (open, FUSE_DEV_IOC_CLONE).
 *   <li>Serving: {@link org.unionfsjava.transport.Session} (workers, INIT, INTERRUPT), {@link
 *       org.unionfsjava.transport.Notifier} (INVAL_INODE, INVAL_ENTRY, DELETE), {@link
 *       org.unionfsjava.transport.BackingFiles} (passthrough ids), {@code Dispatcher} (decoding in place), {@link
 *       org.unionfsjava.transport.Request} (header fields and replies), {@link
 *       org.unionfsjava.transport.DirectoryListing}, {@link
 *       org.unionfsjava.transport.AttributeChange}, {@link
 *       org.unionfsjava.transport.Attributes}, {@code DataSplicer} (READ answered by splice).
 * </ul>
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>Every request is answered exactly once, by the thread that read it, on the descriptor it
 *       came from, before the handler method returns (FORGET, BATCH_FORGET and a found INTERRUPT
 *       get none). What a handler throws or leaves unanswered is answered EIO and logged.
 *   <li>Requests are decoded without allocating: argument structs are read in place, names and
 *       data are views over the worker's buffer, valid until the handler returns.
 *   <li>A read that answers ENODEV ends the worker (the filesystem was unmounted); EINTR, EAGAIN
 *       and ENOENT (a request interrupted before it was read) are read again.
 *   <li>An INTERRUPT for a request no worker is serving is answered EAGAIN (the kernel sends it
 *       again, or drops it once the request was answered). A blocked handler only sees an
 *       INTERRUPT if another worker reads it: run at least two.
 *   <li>Struct sizes follow the version: a 16-byte fuse_init_in before 7.36, flags2 only with
 *       INIT_EXT, the 16-byte fuse_setxattr_in only when SETXATTR_EXT was agreed; the INIT reply
 *       is always the 64-byte fuse_init_out (what every kernel since 7.23 reads).
 *   <li>A backing id given in an OPEN reply stays registered until that handle's RELEASE: the
 *       kernel takes its reference when the opener wakes, after the reply's write returned.
 * </ul>
 */
package org.unionfsjava.transport;
