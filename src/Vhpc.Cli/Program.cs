using Vhpc.Cli;

return await CliProgram.RunAsync(args, Console.Out, Console.Error, Console.In,
    () => !Console.IsInputRedirected && !Console.IsOutputRedirected).ConfigureAwait(false);
