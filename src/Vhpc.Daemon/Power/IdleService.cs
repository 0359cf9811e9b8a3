using Microsoft.Extensions.Hosting;

namespace Vhpc.Daemon.Power;

/// <summary>Stands in for the power services when the engine handles no power (a test double engine): nothing to run.</summary>
internal sealed class IdleService : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
