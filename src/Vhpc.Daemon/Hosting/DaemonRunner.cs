using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Configuration;

namespace Vhpc.Daemon.Hosting;

/// <summary>
/// Runs the host and turns every way it can end into an exit code systemd understands. Until .NET 11 a
/// host stopped by a failing service still exits 0, which would defeat Restart=on-failure; so failures
/// are caught here and mapped.
/// </summary>
internal static class DaemonRunner
{
    public static async Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> registerEngine, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(registerEngine);
        if (DaemonConfiguration.FindUsageError(args) is { } usage)
        {
            await Console.Error.WriteLineAsync($"vhpcd: {usage}").ConfigureAwait(false);
            return DaemonExitCode.Usage;
        }

        IHost host;
        try
        {
            var builder = DaemonHost.CreateBuilder(args, environment);
            registerEngine(builder);
            host = builder.Build();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or InvalidOperationException)
        {
            // The logging pipeline does not exist yet; stderr reaches the journal all the same.
            await Console.Error.WriteLineAsync($"vhpcd: configuration error: {ex.Message}").ConfigureAwait(false);
            return DaemonExitCode.Configuration;
        }

        using (host)
        {
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vhpc.Daemon");
            if (host.Services.GetService<Logging.LogTargetChoice>() is { } logTarget)
            {
                Logging.Log.TargetChosen(logger, logTarget.Target, logTarget.Reason);
            }

            // Before anything resolves options: a value the binder cannot convert is a settings error (78).
            var unconvertible = SettingsSection.FindUnconvertible(host.Services, host.Services.GetRequiredService<IConfiguration>());
            if (unconvertible.Count > 0)
            {
                foreach (var failure in unconvertible)
                {
                    Log.InvalidOption(logger, failure);
                }

                Log.Stopped(logger, DaemonExitCode.Configuration);
                return DaemonExitCode.Configuration;
            }

            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            var exitCode = await StartAsync(host, logger, lifetime).ConfigureAwait(false);
            if (exitCode is { } failed)
            {
                await StopQuietlyAsync(host).ConfigureAwait(false);
                Log.Stopped(logger, failed);
                return failed;
            }

            using var stopping = lifetime.ApplicationStopping.Register(() => Log.Stopping(logger));
            await host.WaitForShutdownAsync().ConfigureAwait(false);

            var faulted = host.Services.GetServices<IHostedService>()
                .OfType<BackgroundService>()
                .FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true });
            var code = DaemonExitCode.Success;
            if (faulted is not null)
            {
                Log.Fatal(logger, $"{faulted.GetType().Name} failed", faulted.ExecuteTask!.Exception?.GetBaseException());
                code = DaemonExitCode.Failure;
            }

            Log.Stopped(logger, code);
            return code;
        }
    }

    /// <summary>Null when the host started; otherwise the exit code for the reason it did not.</summary>
    private static async Task<int?> StartAsync(IHost host, ILogger logger, IHostApplicationLifetime lifetime)
    {
        try
        {
            await host.StartAsync().ConfigureAwait(false);
            return null;
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                Log.InvalidOption(logger, failure);
            }

            return DaemonExitCode.Configuration;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // SIGTERM while still starting: a clean stop.
            return DaemonExitCode.Success;
        }
        catch (FatalStartupException ex)
        {
            Log.Fatal(logger, ex.Message, ex.InnerException);
            return DaemonExitCode.Failure;
        }
#pragma warning disable CA1031 // Anything else that prevents start is fatal too, and must not exit 0.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.Fatal(logger, ex.Message, ex);
            return DaemonExitCode.Failure;
        }
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(DaemonHost.ShutdownTimeout);
            await host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Already failing; the first error is the one reported.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
