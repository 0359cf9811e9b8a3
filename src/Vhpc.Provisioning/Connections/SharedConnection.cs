using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Vhpc.Engine.Telemetry;
using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>
/// The one libvirt connection of the process (vhpcd): opened with keepalive, watched through libvirt's
/// close callback, and reopened with a Polly retry (exponential backoff + jitter, capped) that handles
/// only connection-lost errors: a missing domain or bad XML is not transient and is never retried.
/// Operations on specs that name its URI borrow it; any other URI gets a connection of its own. A
/// connection lost in the middle of an apply makes the apply plan again on the new one.
/// </summary>
internal sealed class SharedConnection : IConnectionSource, IDisposable
{
    /// <summary>The pipeline's name in telemetry.</summary>
    public const string PipelineName = "libvirt-connection";

    private readonly LibvirtConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private Connection? _current;

    private readonly ConnectionPerOperation _otherUris = new();

    public SharedConnection(
        IOptions<LibvirtConnectionOptions> options, ILogger<SharedConnection> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var validation = new LibvirtConnectionOptionsValidator().Validate(null, options.Value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(LibvirtConnectionOptions), typeof(LibvirtConnectionOptions), validation.Failures);
        }

        _options = options.Value;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder { Name = PipelineName, TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<LibvirtException>(e => e.IsConnectionLost),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                MaxRetryAttempts = _options.MaxRetryAttempts,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is LibvirtException error)
                    {
                        VhpcTelemetry.LibvirtErrors.Add(1, new KeyValuePair<string, object?>("error.code", error.Code.ToString()));
                        Log.Retrying(_logger, _options.Uri, error.Code, error.Message, args.AttemptNumber + 1,
                            args.RetryDelay.TotalMilliseconds);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Raised after a new connection replaced one that was lost.</summary>
    public event EventHandler? Reconnected;

    /// <summary>The shared connection for its URI, a connection of its own for any other.</summary>
    public async ValueTask<ConnectionLease> AcquireAsync(string uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!string.Equals(uri, _options.Uri, StringComparison.Ordinal))
        {
            return await _otherUris.AcquireAsync(uri, cancellationToken).ConfigureAwait(false);
        }

        return new ConnectionLease(await GetAsync(cancellationToken).ConfigureAwait(false), owned: false);
    }

    /// <summary>A live connection: the current one, or a new one opened with backoff if it died.</summary>
    public async ValueTask<Connection> GetAsync(CancellationToken cancellationToken)
    {
        var connection = _current;
        if (connection is not null && IsUsable(connection))
        {
            return connection;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
            connection = _current;
            if (connection is not null && IsUsable(connection))
            {
                return connection;
            }

            var replacing = connection is not null;
            if (connection is not null)
            {
                Release(connection);
                _current = null;
            }

            connection = await _pipeline.ExecuteAsync(static (self, _) => ValueTask.FromResult(self.Open()), this, cancellationToken)
                .ConfigureAwait(false);
            _current = connection;
            if (replacing)
            {
                Reconnected?.Invoke(this, EventArgs.Empty);
            }

            return connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs a (blocking) libvirt operation on the current connection; if it fails because the
    /// connection was lost, reconnects with backoff and runs it again. Other errors pass through.
    /// The operation must therefore be safe to repeat (e.g. look up before define).
    /// </summary>
    public async ValueTask<T> ExecuteAsync<T>(Func<Connection, T> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return await _pipeline.ExecuteAsync(
            async (state, token) =>
            {
                var connection = await state.self.GetAsync(token).ConfigureAwait(false);
                try
                {
                    return state.operation(connection);
                }
                catch (LibvirtException error) when (error.IsConnectionLost)
                {
                    Log.LostDuringOperation(state.self._logger, state.self._options.Uri, error.Code, error.Message);
                    state.self.Invalidate(connection);
                    throw;
                }
            },
            (self: this, operation),
            cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        _disposing.Cancel();
        _gate.Wait();
        try
        {
            if (_current is not null)
            {
                Release(_current);
                _current = null;
            }
        }
        finally
        {
            _gate.Release();
        }

        _disposing.Dispose();
        _gate.Dispose();
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
        var connection = Connection.Open(_options.Uri);
        try
        {
            var enabled = connection.SetKeepAlive((int)_options.KeepAliveInterval.TotalSeconds, _options.KeepAliveCount);
            if (enabled)
            {
                Log.KeepAliveEnabled(_logger, _options.Uri, (int)_options.KeepAliveInterval.TotalSeconds, _options.KeepAliveCount);
            }
            else
            {
                Log.KeepAliveUnavailable(_logger, _options.Uri, "the daemon does not support it");
            }
        }
        catch (LibvirtException error) when (error.Code == ErrorCode.NoSupport)
        {
            // Local drivers (test:///default) have no daemon to probe.
            Log.KeepAliveUnavailable(_logger, _options.Uri, error.Message);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        connection.Closed += OnClosed;
        connection.CallbackFailed += (_, e) => Log.CallbackFailed(_logger, e.Exception);
        Log.Opened(_logger, _options.Uri, connection.LibVersion);
        return connection;
    }

    /// <summary>Forgets a connection that failed an operation, so that the next call opens a new one.</summary>
    private void Invalidate(Connection connection)
    {
        _gate.Wait();
        try
        {
            if (ReferenceEquals(_current, connection))
            {
                Release(connection);
                _current = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Release(Connection connection)
    {
        connection.Closed -= OnClosed;
        var references = connection.Close();
        Log.Released(_logger, _options.Uri, references);
    }

    // Runs on libvirt's event thread inside its close callback: only hand the work to the thread pool
    // (closing the connection from here would wait on the lock libvirt holds while calling us).
    private void OnClosed(object? sender, ConnectionClosedEventArgs e)
    {
        Log.ClosedByLibvirt(_logger, _options.Uri, e.Reason);
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        var token = _disposing.Token;
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
                Log.ReconnectFailed(_logger, _options.Uri, ex);
            }
        }, CancellationToken.None);
    }
}
