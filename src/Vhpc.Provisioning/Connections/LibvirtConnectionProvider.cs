using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Vhpc.Engine.Telemetry;
using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>
/// Opens the libvirt connection with keepalive, watches libvirt's close callback, and reopens the
/// connection with a Polly retry (exponential backoff + jitter, capped) that handles only
/// connection-lost errors: a missing domain or bad XML is not transient and is never retried.
/// </summary>
public sealed class LibvirtConnectionProvider : ILibvirtConnectionProvider, IDisposable
{
    /// <summary>The pipeline's name in telemetry.</summary>
    public const string PipelineName = "libvirt-connection";

    private readonly LibvirtConnectionOptions options;
    private readonly ILogger logger;
    private readonly ResiliencePipeline pipeline;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource disposing = new();
    private Connection? current;

    public LibvirtConnectionProvider(
        IOptions<LibvirtConnectionOptions> options, ILogger<LibvirtConnectionProvider> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ValidateOptionsResult validation = new LibvirtConnectionOptionsValidator().Validate(null, options.Value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(LibvirtConnectionOptions), typeof(LibvirtConnectionOptions), validation.Failures);
        }

        this.options = options.Value;
        this.logger = logger;
        pipeline = new ResiliencePipelineBuilder { Name = PipelineName, TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<LibvirtException>(e => e.IsConnectionLost),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = this.options.RetryBaseDelay,
                MaxDelay = this.options.RetryMaxDelay,
                MaxRetryAttempts = this.options.MaxRetryAttempts,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is LibvirtException error)
                    {
                        VhpcTelemetry.LibvirtErrors.Add(1, new KeyValuePair<string, object?>("error.code", error.Code.ToString()));
                        Log.Retrying(this.logger, this.options.Uri, error.Code, error.Message, args.AttemptNumber + 1,
                            args.RetryDelay.TotalMilliseconds);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Raised after a new connection replaced one that was lost.</summary>
    public event EventHandler? Reconnected;

    public async ValueTask<Connection> GetAsync(CancellationToken cancellationToken)
    {
        Connection? connection = current;
        if (connection is not null && IsUsable(connection))
        {
            return connection;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposing.IsCancellationRequested, this);
            connection = current;
            if (connection is not null && IsUsable(connection))
            {
                return connection;
            }

            bool replacing = connection is not null;
            if (connection is not null)
            {
                Release(connection);
                current = null;
            }

            connection = await pipeline.ExecuteAsync(static (self, _) => ValueTask.FromResult(self.Open()), this, cancellationToken)
                .ConfigureAwait(false);
            current = connection;
            if (replacing)
            {
                Reconnected?.Invoke(this, EventArgs.Empty);
            }

            return connection;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask<T> ExecuteAsync<T>(Func<Connection, T> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return await pipeline.ExecuteAsync(
            async (state, token) =>
            {
                Connection connection = await state.self.GetAsync(token).ConfigureAwait(false);
                try
                {
                    return state.operation(connection);
                }
                catch (LibvirtException error) when (error.IsConnectionLost)
                {
                    Log.LostDuringOperation(state.self.logger, state.self.options.Uri, error.Code, error.Message);
                    state.self.Invalidate(connection);
                    throw;
                }
            },
            (self: this, operation),
            cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (disposing.IsCancellationRequested)
        {
            return;
        }

        disposing.Cancel();
        gate.Wait();
        try
        {
            if (current is not null)
            {
                Release(current);
                current = null;
            }
        }
        finally
        {
            gate.Release();
        }

        disposing.Dispose();
        gate.Dispose();
    }

    private static bool IsUsable(Connection connection)
    {
        try
        {
            return connection.IsAlive;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private Connection Open()
    {
        Connection connection = Connection.Open(options.Uri);
        try
        {
            bool enabled = connection.SetKeepAlive((int)options.KeepAliveInterval.TotalSeconds, options.KeepAliveCount);
            if (enabled)
            {
                Log.KeepAliveEnabled(logger, options.Uri, (int)options.KeepAliveInterval.TotalSeconds, options.KeepAliveCount);
            }
            else
            {
                Log.KeepAliveUnavailable(logger, options.Uri, "the daemon does not support it");
            }
        }
        catch (LibvirtException error) when (error.Code == ErrorCode.NoSupport)
        {
            // Local drivers (test:///default) have no daemon to probe.
            Log.KeepAliveUnavailable(logger, options.Uri, error.Message);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        connection.Closed += OnClosed;
        connection.CallbackFailed += (_, e) => Log.CallbackFailed(logger, e.Exception);
        Log.Opened(logger, options.Uri, connection.LibVersion);
        return connection;
    }

    /// <summary>Forgets a connection that failed an operation, so that the next call opens a new one.</summary>
    private void Invalidate(Connection connection)
    {
        gate.Wait();
        try
        {
            if (ReferenceEquals(current, connection))
            {
                Release(connection);
                current = null;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private void Release(Connection connection)
    {
        connection.Closed -= OnClosed;
        int references = connection.Close();
        Log.Released(logger, options.Uri, references);
    }

    // Runs on libvirt's event thread inside its close callback: only hand the work to the thread pool
    // (closing the connection from here would wait on the lock libvirt holds while calling us).
    private void OnClosed(object? sender, ConnectionClosedEventArgs e)
    {
        Log.ClosedByLibvirt(logger, options.Uri, e.Reason);
        if (disposing.IsCancellationRequested)
        {
            return;
        }

        CancellationToken token = disposing.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await GetAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch (ObjectDisposedException) when (token.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Log.ReconnectFailed(logger, options.Uri, ex);
            }
        }, CancellationToken.None);
    }
}
