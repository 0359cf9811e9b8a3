using Vhpc.Daemon.Hosting;

return await DaemonRunner.RunAsync(args, EngineWiring.AddClusterEngine).ConfigureAwait(false);
