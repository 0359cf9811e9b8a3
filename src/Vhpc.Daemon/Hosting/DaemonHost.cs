using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Daemon.Control;
using Vhpc.Daemon.Logging;
using Vhpc.Daemon.Operations;
using Vhpc.Daemon.Power;
using Vhpc.Daemon.Telemetry;
using Vhpc.Engine.Power;

namespace Vhpc.Daemon.Hosting;

/// <summary>
/// Builds vhpcd's host: configuration, validated options, systemd integration, telemetry and the
/// daemon's services. The engine (IClusterEngine) and the spec reader are the caller's to register
/// (<see cref="EngineWiring"/> in the product, test doubles in tests).
/// </summary>
internal static class DaemonHost
{
    /// <summary>How long `systemctl stop` waits for a running apply to reach a safe point (keep below TimeoutStopSec).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(80);

    public static HostApplicationBuilder CreateBuilder(string[] args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;

        // Content root = the install directory: nothing is read from whatever the working directory is.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "vhpcd",
        });
        DaemonConfiguration.AddVhpcdSources(builder.Configuration, args, environment);

        // READY=1/STOPPING=1, SIGTERM, and systemd-formatted console logs (<6>category[event id] message)...
        builder.Services.AddSystemd();
        // AddSystemd() knows systemd by reading /proc/PPID/comm. The unit runs as user vhpcd with
        // ProtectProc=invisible, which hides PID 1 from it, so that check fails; NOTIFY_SOCKET, which
        // systemd sets for a Type=notify service, says the same thing and stays visible.
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(environment("NOTIFY_SOCKET")))
        {
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        // ...replaced by the journal's native protocol (structured fields) when stderr is the journal stream.
        builder.AddVhpcdLogging(environment,
            builder.Configuration[$"{VhpcdOptions.SectionName}:{nameof(VhpcdOptions.LogTarget)}"],
            builder.Configuration[$"{VhpcdOptions.SectionName}:{nameof(VhpcdOptions.JournalSocket)}"]);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

        builder.Services.AddOptions<VhpcdOptions>()
            .BindSettings(builder.Configuration, VhpcdOptions.SectionName, static (settings, options) => settings.Bind(options))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<VhpcdOptions>, VhpcdOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<VhpcdOptions>, VhpcdPathsValidator>();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClusterRegistry>();
        builder.Services.AddSingleton<ProgressHub>();
        builder.Services.AddSingleton<ClusterOperations>();
        builder.Services.AddSingleton<ClusterReloadService>();
        builder.Services.AddSingleton<ControlRequestHandler>();

        // Start order matters: the gate (clusters loaded, libvirt answers) first, then the SIGHUP
        // handler (so a client that sees the socket can always reload), then the socket; the host
        // reports started (READY=1) after all of them. Stop runs in reverse: operations drain first
        // while the socket still answers "stopping", then the socket goes away.
        builder.Services.AddHostedService<StartupGate>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterReloadService>());
        builder.Services.AddHostedService<ControlSocketServer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterOperations>());
        // Elastic clusters: the power channels and the drift repair; both idle without an engine that handles power.
        builder.Services.AddSingleton<PowerControllers>();
        builder.Services.AddSingleton<IHostedService>(sp => sp.GetService<IClusterPowerEngine>() is null
            ? new IdleService()
            : ActivatorUtilities.CreateInstance<PowerChannelService>(sp));
        builder.Services.AddSingleton<IHostedService>(sp => sp.GetService<IClusterPowerEngine>() is null
            ? new IdleService()
            : ActivatorUtilities.CreateInstance<PowerReconcileService>(sp));

        builder.Services.AddVhpcTelemetry(builder.Configuration, environment);
        return builder;
    }
}
