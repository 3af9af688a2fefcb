package dev.tollgate.cli.admin;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** One admin command: a missing token or an unreachable admin API is one clear line, exit code 1. */
abstract class AdminCommand implements Callable<Integer> {
  @Mixin AdminOptions admin;
  @Spec CommandSpec spec;

  abstract int run() throws IOException;

  @Override
  public final Integer call() {
    if (admin.actor != null) {
      spec.commandLine().getErr().println("warning: --actor is ignored: the decision log names the admin whose "
          + "token is used (control_plane.admins)");
    }
    try {
      return run();
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
  }
}
