using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Vhpc.Control.Protocol;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Operations;

[Tier(TestTier.Unit)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task An_apply_is_one_span_on_the_Vhpc_source_tagged_with_its_cluster()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\n");
        var spans = new List<Activity>();
        var daemon = await InProcessDaemon.Build(layout, configure: builder =>
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans))).StartAsync();

        var result = await daemon.Client.RequestAsync(new ControlRequest(ControlCommand.Apply, "c1"));
        Assert.True(result.Apply?.Succeeded);
        await daemon.DisposeAsync();

        var apply = Assert.Single(spans, s => s.DisplayName == "vhpcd apply");
        Assert.Equal("Vhpc", apply.Source.Name);
        Assert.Equal("c1", apply.GetTagItem("vhpc.cluster"));
        Assert.Equal(ActivityStatusCode.Ok, apply.Status);
    }

    [Fact]
    public void Otlp_export_is_off_unless_the_standard_endpoint_variable_is_set()
    {
        using var layout = new DaemonLayout();
        layout.WriteConfig("{}");
        var without = Vhpc.Daemon.Hosting.DaemonHost.CreateBuilder(layout.Arguments, _ => null);
        Assert.DoesNotContain(without.Services, d => d.ServiceType.FullName?.Contains("Otlp", StringComparison.Ordinal) == true
            || d.ImplementationType?.FullName?.Contains("Otlp", StringComparison.Ordinal) == true);

        // The variable as vhpcd would see it in its environment, passed in: the test process's stays unchanged.
        var with = Vhpc.Daemon.Hosting.DaemonHost.CreateBuilder(layout.Arguments,
            name => name == "OTEL_EXPORTER_OTLP_ENDPOINT" ? "http://127.0.0.1:4317" : null);
        Assert.Contains(with.Services, d => d.ServiceType.FullName?.Contains("Otlp", StringComparison.Ordinal) == true
            || d.ImplementationType?.FullName?.Contains("Otlp", StringComparison.Ordinal) == true);
    }
}
