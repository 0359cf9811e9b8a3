using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Vhpc.Engine.Telemetry;

namespace Vhpc.Daemon.Telemetry;

/// <summary>
/// Traces and metrics from the one "Vhpc" source and meter. OTLP export is switched on only by the
/// standard OTEL_EXPORTER_OTLP_ENDPOINT variable (the other OTEL_* variables then apply as usual).
/// The environment is passed in, so tests decide it without changing the process's.
/// </summary>
internal static class TelemetryRegistration
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddVhpcTelemetry(this IServiceCollection services, IConfiguration configuration, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("vhpcd"))
            .WithTracing(tracing => tracing.AddSource(VhpcTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(VhpcTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(environment(OtlpEndpointVariable) ?? configuration[OtlpEndpointVariable]))
        {
            UseOtlpExporter(builder);
        }

        return services;
    }

    // A method of its own, never inlined: the JIT build loads the OTLP exporter (and the HTTP stack it
    // brings) only when it compiles a call to it, so without an endpoint it is never loaded. The
    // Native AOT build has it compiled in; its pages become resident only when it runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UseOtlpExporter(IOpenTelemetryBuilder builder) => builder.UseOtlpExporter();
}
