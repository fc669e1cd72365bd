package org.unionfsjava.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.MountConfig;
import org.unionfsjava.fs.MountFailure;
import org.unionfsjava.fs.UnionMount;

/**
 * Mounts a union the way the command line asked: checks the request first, then either serves it
 * in this process until unmounted or hands it to a background server and waits until it is live.
 */
final class Mounter {

  private static final Logger LOG = LogManager.getLogger(Mounter.class);
  /**
   * Mounts and unmounts, logged at the default level (log4j2.xml keeps this logger at INFO
   * whatever -v says), so a server's log or the journal always records them.
   */
  private static final Logger LIFECYCLE = LogManager.getLogger("unionfs-java.lifecycle");

  /**
   * How the server runs.
   *
   * @param foreground serve in this process until unmounted
   * @param logFile the background server's log, or null for the default under the host's log
   *     directory
   * @param verbosity the number of {@code -v} flags, passed on to the background server
   */
  record Launch(boolean foreground, Path logFile, int verbosity) {}

  private final Host host;
  private final PrintWriter out;
  private final PrintWriter err;

  Mounter(Host host, PrintWriter out, PrintWriter err) {
    this.host = host;
    this.out = out;
    this.err = err;
  }

  /**
   * Checks and mounts; returns the exit code.
   *
   * @throws CommandFailure if the request or the machine is not fit for the mount
   * @throws MountFailure if the union refused to mount
   */
  int mount(MountConfig requested, Launch launch)
      throws CommandFailure, MountFailure, InterruptedException {
    MountConfig options = new MountPreflight(host, err).check(requested);
    LOG.info("mounting {}", options);
    if (launch.foreground()) {
      return serveInForeground(options);
    }
    // started by systemd (a unit, or a mount unit from /etc/fstab): the journal has stderr
    Path logFile = launch.logFile() != null
        ? launch.logFile().toAbsolutePath()
        : JournalStream.isStderr() ? null
        : BackgroundLauncher.defaultLogFile(host.logDirectory(), options.mountPoint());
    var command = BackgroundLauncher.relaunchCommand(logFile,
        MountCommand.foregroundArguments(options, launch.verbosity()));
    return new BackgroundLauncher(host.mountInfo(), BackgroundLauncher.READINESS_TIMEOUT)
        .launch(command, options.mountPoint(), logFile, out, err);
  }

  private int serveInForeground(MountConfig options)
      throws MountFailure, CommandFailure, InterruptedException {
    // The hook is in place before the mount starts: a Ctrl-C while mounting must not leave a
    // mount behind whose server is gone.
    AtomicReference<UnionMount> live = new AtomicReference<>();
    AtomicBoolean closed = new AtomicBoolean();
    // logged once, by whichever sees the unmount first: the main thread (umount from outside) or
    // the shutdown hook (SIGTERM, as systemctl stop sends; the JVM then exits before the main
    // thread gets to log)
    AtomicBoolean unmountLogged = new AtomicBoolean();
    Runnable logUnmounted = () -> {
      if (unmountLogged.compareAndSet(false, true)) {
        LIFECYCLE.info("unmounted {}", options.mountPoint());
      }
    };
    Runnable unmountOnce = () -> {
      if (closed.compareAndSet(false, true)) {
        LOG.info("unmounting {}", options.mountPoint());
        UnionMount mount = live.get();
        if (mount != null) {
          mount.close();
          logUnmounted.run();
        } else {
          unmountIfMounted(options.mountPoint());
        }
      }
    };
    Thread unmountOnExit = new Thread(unmountOnce, "unionfs-java-unmount");
    Runtime.getRuntime().addShutdownHook(unmountOnExit);
    try {
      live.set(startMount(options));
      ProcessTitle.set(ProcessTitle.of(options));
      LIFECYCLE.info("mounted {} (upper {}, lower {}, pid {})", options.mountPoint(),
          options.upper(), options.lowers(), ProcessHandle.current().pid());
      SystemdNotify.send(System.getenv(), "READY=1\nSTATUS=serving " + options.mountPoint()
          + "\nMAINPID=" + ProcessHandle.current().pid());
      out.println("mounted " + options.mountPoint() + " (pid " + ProcessHandle.current().pid()
          + ", in the foreground: Ctrl-C or 'unionfs-java umount " + options.mountPoint()
          + "' ends it)");
      out.flush();
      live.get().awaitUnmounted();
      SystemdNotify.send(System.getenv(), "STOPPING=1");
      logUnmounted.run();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(unmountOnExit);
        if (live.get() != null) {
          unmountOnce.run();
        }
      } catch (IllegalStateException shuttingDown) {
        // the hook is already running and unmounts
      }
    }
    return ExitStatus.OK.code();
  }

  /**
   * Mounts; a native library that cannot be loaded is a problem of the machine, not a bug. What
   * the union refused ({@link MountFailure}, an upper in use included: the preflight checked, but
   * another mount may have taken it since) goes to {@link ExitStatusMapper} by its reason.
   */
  private UnionMount startMount(MountConfig options) throws MountFailure, CommandFailure {
    try {
      return host.starter().start(options);
    } catch (LinkageError e) {
      LOG.debug("native code could not be loaded", e);
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      throw new CommandFailure(ExitStatus.ENVIRONMENT, "cannot load the native code FUSE needs ("
          + cause + "; is /tmp mounted noexec? is " + options.tuning().fuseLibrary().soname() + " installed?)", e);
    }
  }

  /** Unmounts a union the mount call left behind when it was interrupted. */
  private void unmountIfMounted(Path mountPoint) {
    try {
      new Unmounter(host.mountInfo(), Unmounter.runningAsRoot()).unmount(mountPoint, true);
    } catch (CommandFailure notMountedOrRefused) {
      LOG.debug("nothing unmounted at {}: {}", mountPoint, notMountedOrRefused.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
