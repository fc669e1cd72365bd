/**
 * The union's semantics, free of FUSE and jnr: branches, lookup, merged listings, whiteouts and
 * opaque directories, copy-up, and the changes to names. Everything here runs on any
 * {@link java.nio.file.FileSystem} through the {@link org.unionfsjava.model.BranchIo} port, so the
 * unit tests run on Jimfs. This page is the specification: it says what the classes of this
 * package do, rule by rule; DESIGN.md §2–§3 says why. Tests cite the section names below.
 *
 * <h2>Branches</h2>
 *
 * <p>A {@link org.unionfsjava.model.BranchStack} is one writable <b>upper</b> (index 0, label
 * {@code upper}) above one or more read-only <b>lowers</b> (index 1..n, labels {@code lower1},
 * {@code lower2}, ..., top first). Every change lands in the upper or in the work directory; a
 * lower is only read. {@link org.unionfsjava.model.UpperOnlyBranchIo} makes that structural: it
 * wraps the branch I/O and refuses, with EROFS and without doing anything, every changing call
 * whose path does not start with the upper's or the work directory's path (a hard link whose
 * source lies in a lower is refused too, since it would raise the lower inode's link count).
 *
 * <p>Union paths are {@link org.unionfsjava.model.UnionPath}s: relative to the union's root,
 * repeated slashes folded, never a {@code "."} or {@code ".."} component (EINVAL) and never a name
 * longer than NAME_MAX = 255 bytes (ENAMETOOLONG), so a union path resolved inside a branch
 * root cannot leave it. Names are bytes: in the daemon a name's string holds one char per byte
 * ({@link org.unionfsjava.model.NameCharset}), so names that are not valid UTF-8 are kept, shown
 * and whited out exactly; every conversion between names and bytes goes through NameCharset. {@code startsWith} compares whole components ({@code /ab} does not start
 * with {@code /a}).
 *
 * <h2>Lookup</h2>
 *
 * <p>{@link org.unionfsjava.model.Lookup} resolves a path one component at a time; each step looks
 * one name up inside an already resolved visible directory, consulting that directory's
 * <em>layers</em> (the branch directories that make it up) top-down and asking the
 * {@link org.unionfsjava.model.WhiteoutFormat} what each layer says about the name: present (with
 * its lstat), whited out, or nothing.
 *
 * <ol>
 *   <li><b>The root</b> merges the upper's root with each lower root in turn, stopping after the
 *       first opaque one; an opaque upper root is the only layer.
 *   <li><b>The topmost branch that has the name decides its type and attributes.</b> A
 *       non-directory there is the answer alone: it hides everything below, a lower directory of
 *       that name included.
 *   <li><b>A directory merges down</b> with the directories of the same name in the layers below,
 *       and stops at (without including) the first layer where the name is a non-directory or
 *       a whiteout, and after (including) the first directory that is <b>opaque</b>. An opaque
 *       directory's children are therefore never looked up below it. Layers where the name is
 *       simply absent are skipped.
 *   <li><b>A whiteout</b> for a name in a layer, met before any layer that has the name, makes
 *       the answer {@link org.unionfsjava.model.Resolution.WhitedOut}: hidden in that branch and
 *       every branch below. A whiteout in a middle lower hides only the lowers below it. In the
 *       aufs format an object and its own whiteout may stand in the same branch (a crash between
 *       the two steps of a replace leaves that); the object is then visible and hides everything
 *       below it, like an opaque directory.
 *   <li><b>Internal names are never visible</b>: a name the format reserves (aufs: every name
 *       starting with {@code .wh.}) at any depth, and the work directory's name at the root only.
 *       They resolve as {@link org.unionfsjava.model.Resolution.Missing} with errno ENOENT and no
 *       parent, wherever they exist.
 *   <li><b>Below a name that is not a visible directory</b> the answer is Missing without a
 *       parent: errno ENOTDIR if a component was a non-directory (also further down), ENOENT if it
 *       was missing or whited out.
 *   <li>A name that no layer has is Missing with the visible parent directory and ENOENT, so a
 *       create can go there. Whited-out and missing both answer ENOENT to a lookup; they differ
 *       for create, which must replace a whiteout.
 * </ol>
 *
 * <p>{@link org.unionfsjava.model.Lookup#lowerHasName} answers whether a lower layer of a
 * directory (below the upper) still has a name, scanning the lowers top-down and stopping at the
 * first whiteout: deleting or renaming the upper object of such a name must leave a whiteout.
 *
 * <h3>The caching rule: {@code dependsOnLowers}</h3>
 *
 * <p>Every resolution says whether a change made directly in a lower (another NFS client) could
 * change it. If not, the upper alone decided it and a cache may keep it until the union itself
 * changes the names involved; if so, it may be trusted only for the lower TTL (DESIGN §4).
 *
 * <ul>
 *   <li>false: an upper non-directory; an upper directory whose lookup found it opaque; a
 *       whiteout in the upper; an internal name; a name missing under a directory that has the
 *       upper as its only layer and does not itself depend on lowers (such as an opaque upper
 *       directory).
 *   <li>true: the root unless it is opaque; every answer that consulted a lower layer (a merged
 *       directory, an object from a lower, a whiteout in a lower, a name missing under a merged
 *       directory); every answer under a parent that depends on lowers (an upper-only directory
 *       under a merged one could be joined by a lower directory of the same name).
 * </ul>
 *
 * <h2>Readdir</h2>
 *
 * <p>{@link org.unionfsjava.model.DirectoryMerger} lists a visible directory by reading its layers
 * top-down: each name once, from the topmost layer that has it (with the kind and inode that layer
 * reported); minus the whiteouts themselves, minus the names a layer's whiteouts hide in the
 * layers below it (a whiteout does not hide an object of the same layer), minus internal names.
 * The order is the branches' order: the upper's names first, then each lower's new names, each in
 * the order its directory listing gave them. A lower directory that vanished since the lookup
 * (ENOENT, ENOTDIR, ESTALE) contributes nothing; a vanished upper directory is an error. A
 * directory is empty for rmdir when this listing has no names (markers and whiteouts do not
 * count). {@code "."}, {@code ".."} and stable offsets are the FUSE adapter's business.
 *
 * <h2>Copy-up</h2>
 *
 * <p>{@link org.unionfsjava.model.CopyUp} brings an object that is visible from a lower into the
 * upper before anything changes it (the callers' triggers: open for write, truncate, chmod, chown,
 * utimens, xattr changes, link, rename; and any create or delete inside a lower-only directory,
 * which copies the directory chain). An object already in the upper is used as it is.
 *
 * <ol>
 *   <li><b>Parents first</b>: each missing ancestor directory is re-resolved (through the caller's
 *       resolver), and copied the same way as an object (a shallow directory: its own mode, owner,
 *       xattrs and times, none of its children), from the root downwards.
 *   <li><b>The object into a temporary name</b> in the work directory's {@code tmp} area (same
 *       filesystem as the upper): regular-file data through {@link
 *       org.unionfsjava.model.BranchIo#copyFileData} (optionally synced), or an empty file when the
 *       caller is about to truncate it anyway; a directory made 0700; a symlink with the same
 *       target; a device, fifo or socket node. Then owner, then mode (chown clears set-id bits),
 *       then the xattrs the branch I/O can read (except the format's private ones, such as
 *       {@code trusted.overlay.*}; an xattr the upper refuses with ENOTSUP/EPERM/EACCES is logged
 *       and skipped), then atime and mtime to the nanosecond.
 *   <li><b>One rename into place</b> (RENAME_NOREPLACE). On any failure the temporary is removed
 *       and the error rethrown (out of space is ENOSPC); if the rename found the name taken by a
 *       concurrent operation (EEXIST) that object is used instead.
 *   <li><b>Parent times restored</b>: after the object has landed, each ancestor created by this
 *       copy-up gets its lower atime and mtime back, deepest first (failures are logged).
 * </ol>
 *
 * <p>Concurrency: copies are de-duplicated per target path: the first thread copies, every
 * thread that asks for the same target meanwhile waits for it and then uses its result (or gets
 * its exception); a thread that comes later finds the object in place and copies nothing. Copy-up
 * takes no other lock.
 *
 * <h2>Delete</h2>
 *
 * <p>{@link org.unionfsjava.model.Namespace#unlink} (non-directories; EISDIR otherwise) and
 * {@link org.unionfsjava.model.Namespace#rmdir} (directories; ENOTDIR otherwise, EBUSY for the
 * root, ENOTEMPTY unless the merged listing is empty):
 *
 * <ul>
 *   <li>an upper object whose name no lower still has (not a merged directory, and {@code
 *       lowerHasName} false) is deleted and leaves nothing. An upper directory that looks empty
 *       but still holds markers is moved into the work directory and removed there;
 *   <li>an upper object whose name a lower still has (a copied-up file, a merged directory, an
 *       opaque directory over a lower one) is replaced by a whiteout;
 *   <li>an object only in a lower gets a whiteout in the upper (its parent chain copied up
 *       first); the lower is untouched.
 * </ul>
 *
 * <p>rmdir of a merged directory therefore succeeds once every lower name in it is whited out:
 * the upper copy with its whiteouts goes, and one whiteout for the directory remains.
 * {@link org.unionfsjava.model.Namespace#unlinkKeeping} deletes a name that is still open: the
 * upper object is moved to a temporary the caller chose (so open handles keep working) instead of
 * being deleted, with the same whiteout rules.
 *
 * <h2>Create, and create over a whiteout</h2>
 *
 * <p>{@link org.unionfsjava.model.Namespace#create} requires a name that is not visible (EEXIST)
 * with a visible parent directory (ENOENT/ENOTDIR), refuses names the format reserves (aufs:
 * {@code .wh.*}, EINVAL), copies the parent chain up, and makes the object with the caller's
 * {@code Maker}; the object is then given to the caller's uid and gid (the gid of a setgid
 * parent), except for root. Over a <b>whiteout</b> the object is made at a temporary name, given
 * its owner, <b>marked opaque if it is a directory</b> (so nothing of a lower directory of that
 * name shows through) and then replaces the whiteout in one step: the name goes from hidden to
 * the new object. {@link org.unionfsjava.model.Namespace#link} copies the source up first, then
 * links like a create (EPERM for a directory).
 *
 * <h2>Rename</h2>
 *
 * <p>{@link org.unionfsjava.model.Namespace#rename}, in this order: the same path is a no-op;
 * the root is EBUSY; a target inside the source is EINVAL; a reserved target name is EINVAL; a
 * visible target must fit (a directory over a non-directory ENOTDIR, over a non-empty directory
 * ENOTEMPTY; a non-directory over a directory EISDIR), and two upper names of one inode are a
 * no-op; a target that is not visible needs a visible parent. Then:
 *
 * <ul>
 *   <li>the source is copied up (files from a lower, with their data) and the target's
 *       directory chain too;
 *   <li><b>a directory with a lower layer is copied up alone</b> (not its children) and given a
 *       <b>redirect</b> to where its lower content lives (the absolute lower path of its first
 *       lower layer); lookup then finds its lower layers there, so the rename takes the same time
 *       whatever the size of the tree. An absolute redirect it already has is kept; a relative
 *       one (kernel overlayfs writes them for renames within a directory) would be read beside
 *       the new name, in the new parent, so it is replaced by the absolute one it stands for,
 *       whichever directory the rename goes to (also over an empty directory). A directory
 *       without lower content moving onto a name some lower has is first marked opaque instead;
 *   <li>over an upper directory (empty in the union, but maybe holding markers) the two are
 *       exchanged and the old target is removed, or turned into the whiteout the source name
 *       needs; over an overlay whiteout node a directory is exchanged with the node;
 *   <li>otherwise a plain rename; <b>where a lower still has the source's name, a whiteout is
 *       left there</b> (RENAME_WHITEOUT where the format and filesystem allow);
 *   <li>last, a whiteout beside the target's name goes (aufs: the {@code .wh.NAME} of a
 *       whited-out target, or one a crash left beside a visible target's object): the object now
 *       there is a non-directory, redirected or opaque, or no lower has the name, so it hides
 *       the lowers alone. A crash before this step leaves the pair, which shows the same.
 * </ul>
 *
 * <h2>Exchange</h2>
 *
 * <p>{@link org.unionfsjava.model.Namespace#exchange} is renameat2 with RENAME_EXCHANGE: two
 * visible names swap their objects, whatever their kinds (file and directory too), in the same
 * directory or in two. In this order: the same path is a no-op; the root is EBUSY; one name
 * inside the other (either way round) is EINVAL, as the kernel answers; two upper names of one
 * inode are a no-op (the kernel does nothing for two names of one inode either). A name that is
 * not visible is ENOENT (the caller's resolution). Then:
 *
 * <ul>
 *   <li>both objects are copied up (files from a lower with their data; a metadata-only copy is
 *       completed, since its data is found by its name) with their directory chains;
 *   <li>a directory with a lower layer is copied up alone and given an absolute <b>redirect</b>
 *       to its first lower layer, exactly as for a rename (a relative redirect, which would be
 *       read beside the new name, is replaced by the absolute one it stands for); its whiteouts
 *       and opaque marks travel with it; a directory without lower content going onto a name
 *       some lower has is marked opaque;
 *   <li>the upper's own RENAME_EXCHANGE swaps the two upper objects in one step;
 *   <li>(aufs) a {@code .wh.NAME} a crash left beside either old object is removed afterwards,
 *       as after a rename: each object now there hides the lowers alone.
 * </ul>
 *
 * <p>No whiteout is needed: both names stay occupied by upper objects, which hide whatever the
 * lowers have there. Each object keeps its inode number (upper objects keep their inode; copies
 * keep the origin they recorded). Every step before the last leaves both names showing what they
 * showed before (a redirect to where a directory's content already is, an opaque mark on a
 * directory that merges with nothing, a copy-up), so a crash shows the two names as before or
 * exchanged, never half. RENAME_WHITEOUT is not offered (EINVAL, as on kernel overlayfs).
 *
 * <h2>Redirects, metadata-only copies, origins and the hard-link index</h2>
 *
 * <p>An upper directory with a redirect ({@code trusted.overlay.redirect}; aufs: the file
 * {@code .wh..wh..redirect}) takes its lower layers from the redirect instead of its own name:
 * an absolute redirect is resolved from the lowers' roots, a relative one (kernel overlayfs
 * writes them for renames within a directory) beside it in the parent's lower layers.
 *
 * <p>{@link org.unionfsjava.model.CopyUp#ensureUpperMetadata} copies a regular file for an
 * attribute change only: a sparse upper file with the lower's size, marked as a metadata-only
 * copy ({@code trusted.overlay.metacopy}; aufs: {@code user.unionfs.metacopy}, else a full
 * copy). Lookup gives such a file a second layer, its data: the lower file of the same name (or of
 * its redirect, as kernel overlayfs writes). The first open for writing, truncate, link or rename
 * completes it: data and the copy's own metadata into a temporary that replaces it in one rename.
 *
 * <p>Every copy records its <b>origin</b>, the branch and inode it was copied from
 * ({@link org.unionfsjava.model.Origin}), so the union keeps reporting the lower's inode number.
 * A lower regular file with several names is copied up once into the work directory's index
 * ({@link org.unionfsjava.model.HardLinkIndex}) and each name is linked to that copy; the index
 * copy records the union's link count, which link and unlink keep up to date.
 *
 * <h2>On-disk formats</h2>
 *
 * <table>
 *   <caption>Whiteout formats implemented by {@link org.unionfsjava.model.WhiteoutFormat}</caption>
 *   <tr><th>format</th><th>whiteout for NAME</th><th>opaque directory</th><th>reserved names</th>
 *       <th>needs</th></tr>
 *   <tr><td>{@code overlay} ({@link org.unionfsjava.model.OverlayFormat})</td>
 *       <td>character device 0/0 named NAME</td><td>xattr {@code trusted.overlay.opaque=y}</td>
 *       <td>none; {@code trusted.overlay.*} xattrs are private; a user's mknod of a character
 *       device 0/0 is refused with EPERM and changes nothing, as kernel overlayfs refuses it</td>
 *       <td>mknod and trusted xattrs on the upper (root); a native branch I/O</td></tr>
 *   <tr><td>{@code aufs}, alias {@code oci} ({@link org.unionfsjava.model.AufsFormat})</td>
 *       <td>empty file {@code .wh.NAME} (mode 0444) beside it</td>
 *       <td>file {@code .wh..wh..opq} inside it</td><td>every {@code .wh.*} name (a character
 *       device 0/0 is an ordinary device here)</td>
 *       <td>nothing; works on plain NIO and Jimfs</td></tr>
 * </table>
 *
 * <p>The union's own xattrs ({@code trusted.unionfs.*} written in the overlay format, {@code
 * user.unionfs.*} in the aufs format: origins, link counts, the aufs metacopy mark) are private
 * in <em>both</em> formats, so an upper that {@code convert} is moving from one format to the
 * other never shows the other format's to a user.
 *
 * <p>The overlay-with-userxattr and unionfs-fuse rows of DESIGN §3 are not implemented by the
 * union; the {@code convert} tool (module lifecycle) reads an upper unionfs-fuse wrote.
 * {@link org.unionfsjava.model.FormatDetector} decides the format at mount: the name recorded in
 * the work directory's {@code format} file wins; without a record the upper is scanned for either
 * format's markers (the work directory skipped); a request that contradicts the record or the
 * markers is refused (EINVAL, naming both formats); an empty upper takes the requested format
 * (overlay only after a probe for mknod and trusted xattrs), or for {@code auto} overlay where
 * the probe succeeds and aufs otherwise. The choice is then recorded.
 *
 * <h2>Atomicity and crashes</h2>
 *
 * <p>The work directory ({@link org.unionfsjava.model.WorkDir}) is the upper's private scratch
 * area; the union never shows it, and {@code prepare()} at mount empties its {@code tmp} area, so
 * a crash leaves at most garbage there, never a temporary name in the union.
 *
 * <table>
 *   <caption>What a crash in the middle of an operation can leave</caption>
 *   <tr><th>operation</th><th>steps</th><th>a crash in between shows</th></tr>
 *   <tr><td>copy-up</td><td>parents (each: temp, rename); object: temp, rename</td>
 *       <td>no upper object or a complete one (complete parent directories may stay, with
 *       their times not yet restored); durability of the data needs {@code syncData}</td></tr>
 *   <tr><td>whiteout of a lower-only name</td><td>aufs: create {@code .wh.NAME}; overlay: mknod
 *       of the node at the name (one step)</td><td>the object or the whiteout</td></tr>
 *   <tr><td>whiteout over an upper object</td><td>aufs: create marker, then delete the object
 *       (a directory via the work directory); overlay: rename the node over a non-directory,
 *       exchange it with a directory</td><td>aufs: the upper object, still visible, then the
 *       whiteout; overlay: one step</td></tr>
 *   <tr><td>create over a whiteout</td><td>make at a temp (opaque for a directory); aufs: rename
 *       into place, then delete the marker; overlay: replace or exchange with the node</td>
 *       <td>the whiteout, or the complete new object</td></tr>
 *   <tr><td>rename leaving a whiteout</td><td>aufs: marker at the source, then rename; overlay:
 *       RENAME_WHITEOUT, or rename then whiteout where unsupported</td><td>aufs: the object at
 *       its old name; overlay fallback: the lower's object at the old name again</td></tr>
 *   <tr><td>rename over an upper directory</td><td>exchange, then whiteout or removal of the old
 *       target at the source name</td><td>the old, empty-looking target under the source name
 *       </td></tr>
 *   <tr><td>directory rename with lower content</td><td>copy the directory up (temp, rename),
 *       record the redirect, rename leaving a whiteout</td><td>the directory at its old name (its
 *       redirect points where it already is), or at its new one; never both, never neither</td></tr>
 *   <tr><td>exchange (RENAME_EXCHANGE)</td><td>copy both up, redirects or opaque marks, one
 *       RENAME_EXCHANGE in the upper</td><td>both names as before, or both exchanged</td></tr>
 *   <tr><td>completing a metadata-only copy</td><td>data and metadata to a temp, rename over</td>
 *       <td>the metadata-only copy or the full one</td></tr>
 *   <tr><td>format record</td><td>temp, rename</td><td>the old record or the new one</td></tr>
 * </table>
 *
 * <p>{@link org.unionfsjava.model.CrashPoints} names the steps between, so tests can stop the
 * daemon at each one ({@code -Dunionfs.crash-at=NAME}).
 *
 * <h2>Errors</h2>
 *
 * <p>Model code throws {@link org.unionfsjava.model.UnionException} with an
 * {@link org.unionfsjava.model.Errno} name (numbers belong to the FUSE adapter).
 * {@link org.unionfsjava.model.ErrnoMapper} turns other {@link java.io.IOException}s into errno
 * names: NIO's typed exceptions by type, the rest by the strerror text of their reason (Jimfs's
 * {@code "out of disk space"} is ENOSPC), anything else EIO.
 *
 * <h2>What the callers must do</h2>
 *
 * <p>{@code Namespace} works on resolutions the caller has just made and takes no locks: the
 * caller serialises operations on the names involved (path locks, DESIGN §4) and drops what it
 * cached about them afterwards.
 */
package org.unionfsjava.model;
