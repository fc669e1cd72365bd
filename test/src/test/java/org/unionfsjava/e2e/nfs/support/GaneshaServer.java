package org.unionfsjava.e2e.nfs.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.unionfsjava.e2e.support.Processes;

/**
 * nfs-ganesha exporting one base directory, inside a private network and mount namespace that
 * this class creates, so that no NFS or rpcbind port is open anywhere but on that namespace's
 * loopback. Why each configuration key: examples/nfs-base/ganesha.conf.
 *
 * <p>Processes, each a child of the test JVM and ended by its PID only:
 * <ol>
 *   <li>the namespace holder: {@code unshare --net --mount} running a shell that brings {@code lo}
 *       up, adds an IPv6 address to it (ganesha cannot resolve 127.0.0.1 without one), mounts a
 *       private tmpfs on /run, then sleeps; the namespace lives as long as it does;
 *   <li>rpcbind (NFSv3 needs it; it binds every address, which here means only the namespace's);
 *   <li>ganesha.nfsd in the foreground with the filled-in {@code scripts/nfs/ganesha.conf.in}.
 * </ol>
 * The last two and every command of {@link #exec} enter the namespace with {@code nsenter -t
 * HOLDER -n -m}, which execs the command without forking, so each {@link Process} PID is the
 * server's own. The base directory is the same path inside and outside the namespace; a change
 * made there by the test is a change "on the server".
 */
public final class GaneshaServer implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final String READY_LINE = "NFS SERVER INITIALIZED";

  /**
   * The one export.
   *
   * @param path the base directory on the server
   * @param pseudo the path clients mount (v4 pseudo path; v3 too, with mount_path_pseudo)
   * @param accessType "RO" or "RW"
   * @param attrExpirationSeconds ganesha's Attr_Expiration_Time for it
   */
  public record Export(Path path, String pseudo, String accessType, int attrExpirationSeconds) {
    public Export {
      Objects.requireNonNull(path, "path");
    }

    /** Read-only at {@code /base}, attributes trusted 1 s: what the union's NFS tests use. */
    public static Export readOnly(Path path) {
      return new Export(path.toAbsolutePath().normalize(), "/base", "RO", 1);
    }

    public Export withAccessType(String type) {
      return new Export(path, pseudo, type, attrExpirationSeconds);
    }

    public Export withAttrExpiration(int seconds) {
      return new Export(path, pseudo, accessType, seconds);
    }
  }

  private final Path stateDir;
  private final int nfsPort;
  private final int mntPort;
  private Export export;
  private Process holder;
  private Process rpcbind;
  private Process ganesha;
  private int starts;
  private Duration lastStart = Duration.ZERO;

  private GaneshaServer(Path stateDir, Export export, int nfsPort, int mntPort) {
    this.stateDir = stateDir;
    this.export = export;
    this.nfsPort = nfsPort;
    this.mntPort = mntPort;
  }

  /** Starts the namespace, rpcbind and ganesha (ports 2049 and 20048 inside the namespace). */
  public static GaneshaServer start(Path stateDir, Export export) {
    GaneshaServer s = new GaneshaServer(stateDir.toAbsolutePath().normalize(), export, 2049, 20048);
    try {
      s.startNamespace();
      s.startRpcbind();
      s.startGanesha();
      return s;
    } catch (RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /** True if this machine has what the server needs (root, the binaries, the VFS plugin). */
  public static boolean available() {
    return Files.isExecutable(Path.of("/usr/bin/ganesha.nfsd")) && pluginsDir() != null
        && Files.isExecutable(Path.of("/usr/sbin/rpcbind")) && Files.isExecutable(Path.of("/usr/bin/nfs-ls"))
        && Files.isExecutable(Path.of("/usr/bin/nsenter")) && Files.isExecutable(Path.of("/usr/bin/unshare"))
        && "0".equals(Processes.run(Duration.ofSeconds(5), "id", "-u").stdout().trim());
  }

  /** Debian's ganesha plugin directory (multiarch), or null. */
  static Path pluginsDir() {
    List<Path> candidates = new ArrayList<>();
    try (var s = Files.newDirectoryStream(Path.of("/usr/lib"))) {
      s.forEach(d -> candidates.add(d.resolve("ganesha")));
    } catch (IOException e) {
      return null;
    }
    candidates.add(Path.of("/usr/lib/ganesha"));
    for (Path c : candidates) {
      if (Files.exists(c.resolve("libfsalvfs.so"))) {
        return c;
      }
    }
    return null;
  }

  private static Path repoDir() {
    return Path.of(System.getProperty("unionfs.repo.dir", "..")).toAbsolutePath().normalize();
  }

  // ---- the three processes ----

  private void startNamespace() {
    String script = "set -e; ip link set lo up; ip -6 addr add fd7e::1/128 dev lo; "
        + "mount -t tmpfs -o mode=0755 tmpfs /run; mkdir -p /run/rpcbind; echo READY; exec sleep 1000000";
    holder = spawn(List.of("unshare", "--net", "--mount", "--", "bash", "-c", script), stateDir.resolve("holder.log"));
    Path log = stateDir.resolve("holder.log");
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!read(log).contains("READY")) {
      if (!holder.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("the network namespace did not come up: " + read(log));
      }
      pause();
    }
  }

  private void startRpcbind() {
    rpcbind = spawn(inside("rpcbind", "-f", "-w"), stateDir.resolve("rpcbind.log"));
  }

  private void startGanesha() {
    starts++;
    Path conf = writeConfig();
    Path log = stateDir.resolve("ganesha-" + starts + ".log");
    long t0 = System.nanoTime();
    ganesha = spawn(inside("ganesha.nfsd", "-F", "-f", conf.toString(), "-L", log.toString(),
        "-p", stateDir.resolve("ganesha.pid").toString(), "-N", "NIV_EVENT"), stateDir.resolve("ganesha-" + starts + ".out"));
    long deadline = t0 + READY_TIMEOUT.toNanos();
    while (true) {
      if (read(log).contains(READY_LINE) && registered()) {
        break;
      }
      if (!ganesha.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("ganesha did not start (alive: " + ganesha.isAlive() + "); its log:\n"
            + read(log) + read(stateDir.resolve("ganesha-" + starts + ".out")));
      }
      pause();
    }
    lastStart = Duration.ofNanos(System.nanoTime() - t0);
  }

  /** NFS and MOUNT are registered with the namespace's rpcbind (what a v3 client asks first). */
  private boolean registered() {
    Processes.Result r = exec(Duration.ofSeconds(5), "rpcinfo", "-p", "127.0.0.1");
    return r.exit() == 0 && r.stdout().contains(" nfs") && r.stdout().contains(" mountd");
  }

  private Path writeConfig() {
    try {
      Path recovery = Files.createDirectories(stateDir.resolve("recovery"));
      String conf = Files.readString(repoDir().resolve("scripts/nfs/ganesha.conf.in"), StandardCharsets.UTF_8)
          .replace("@BIND_ADDR@", "127.0.0.1")
          .replace("@NFS_PORT@", Integer.toString(nfsPort))
          .replace("@MNT_PORT@", Integer.toString(mntPort))
          .replace("@PROTOCOLS@", "3, 4")
          .replace("@PLUGINS_DIR@", Objects.requireNonNull(pluginsDir(), "no ganesha plugin dir").toString())
          .replace("@RECOVERY_ROOT@", recovery.toString())
          .replace("@EXPORT_PATH@", export.path().toString())
          .replace("@PSEUDO@", export.pseudo())
          .replace("@ACCESS_TYPE@", export.accessType())
          .replace("@ATTR_EXPIRATION@", Integer.toString(export.attrExpirationSeconds()));
      if (java.util.regex.Pattern.compile("@[A-Z_]+@").matcher(conf).find()) {
        throw new AssertionError("unfilled placeholder in ganesha.conf.in:\n" + conf);
      }
      Path file = stateDir.resolve("ganesha.conf");
      Files.writeString(file, conf, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Process spawn(List<String> command, Path output) {
    try {
      Files.createDirectories(stateDir);
      return new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  // ---- control ----

  /** Stops ganesha (SIGTERM, then SIGKILL) and starts it again with the same export. */
  public void restart() {
    stopGanesha();
    startGanesha();
  }

  /** Changes the export's definition (access type, attribute expiry, ...) and restarts ganesha. */
  public void editExport(UnaryOperator<Export> edit) {
    export = Objects.requireNonNull(edit.apply(export));
    restart();
  }

  private void stopGanesha() {
    stop(ganesha);
    ganesha = null;
  }

  /** Ends a process by its PID: SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}. */
  private static void stop(Process p) {
    if (p == null) {
      return;
    }
    try {
      p.destroy();
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  /** Stops ganesha, rpcbind and the namespace holder, each by its PID; the namespace goes with them. */
  @Override
  public void close() {
    stopGanesha();
    stop(rpcbind);
    rpcbind = null;
    if (holder != null) {
      holder.destroyForcibly();
      try {
        holder.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- inside the namespace ----

  /** A command as run inside the namespace ({@code nsenter -t HOLDER -n -m -- ...}). */
  public List<String> inside(String... command) {
    List<String> c = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-n", "-m", "--"));
    c.addAll(List.of(command));
    return c;
  }

  /** Runs a command inside the namespace, bounded. */
  public Processes.Result exec(Duration timeout, String... command) {
    return Processes.run(timeout, inside(command));
  }

  /** A libnfs URL for a path below the export, e.g. {@code url("dir/f", 3)}. */
  public String url(String relative, int version) {
    return "nfs://127.0.0.1" + export.pseudo() + "/" + relative + "?version=" + version;
  }

  /** The names nfs-ls lists in a directory of the export over NFS {@code version} (3 or 4). */
  public List<String> list(String relativeDir, int version) {
    String rel = relativeDir.isEmpty() || relativeDir.endsWith("/") ? relativeDir : relativeDir + "/";
    Processes.Result r = exec(Duration.ofSeconds(20), "nfs-ls", url(rel, version))
        .requireSuccess("nfs-ls over NFSv" + version);
    List<String> names = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      String t = line.strip();
      if (!t.isEmpty()) {
        String[] f = t.split("\\s+", 6);
        names.add(f[f.length - 1]);
      }
    }
    names.sort(null);
    return names;
  }

  /** A file's content as nfs-cat reads it over NFS {@code version}. */
  public String cat(String relative, int version) {
    return exec(Duration.ofSeconds(20), "nfs-cat", url(relative, version))
        .requireSuccess("nfs-cat over NFSv" + version).stdout();
  }

  // ---- facts for tests ----

  public Export export() {
    return export;
  }

  /** The holder's PID: the namespace's anchor (what a VM started later enters). */
  public long namespacePid() {
    return holder.pid();
  }

  public long ganeshaPid() {
    return ganesha.pid();
  }

  public long rpcbindPid() {
    return rpcbind.pid();
  }

  /** All processes this server started, for "nothing is left" checks after {@link #close}. */
  public List<ProcessHandle> processes() {
    List<ProcessHandle> out = new ArrayList<>();
    for (Process p : new Process[] {holder, rpcbind, ganesha}) {
      if (p != null) {
        out.add(p.toHandle());
      }
    }
    return out;
  }

  public int nfsPort() {
    return nfsPort;
  }

  public int mountPort() {
    return mntPort;
  }

  /** How long the last (re)start took until NFS and MOUNT were registered. */
  public Duration lastStartDuration() {
    return lastStart;
  }

  public Path stateDir() {
    return stateDir;
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
