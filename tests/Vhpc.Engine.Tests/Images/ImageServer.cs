using System.Net;
using System.Net.Sockets;

namespace Vhpc.Engine.Tests.Images;

/// <summary>
/// A local HTTP server on 127.0.0.1 serving one image, with scripted faults per request: drop the
/// connection mid-body, answer with a status code, or ignore Range. Records each request's Range.
/// </summary>
internal sealed class ImageServer : IDisposable
{
    public const string ImagePath = "/images/base.qcow2";

    private readonly HttpListener _listener = new();
    private readonly Queue<Fault> _faults = new();
    private readonly Task _loop;
    private readonly object _gate = new();

    public ImageServer(byte[] image)
    {
        Image = image;
        var port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{port}{ImagePath}");
        _loop = Task.Run(ServeAsync);
    }

    public abstract record Fault;

    /// <summary>Send headers for the whole remaining body, then this many bytes, then abort.</summary>
    public sealed record DropAfter(int Bytes) : Fault;

    public sealed record Status(int Code) : Fault;

    public sealed record IgnoreRange : Fault;

    public byte[] Image { get; }

    public Uri Url { get; }

    public List<string?> RangeHeaders { get; } = [];

    public void Enqueue(params Fault[] scripted)
    {
        lock (_gate)
        {
            foreach (var fault in scripted)
            {
                _faults.Enqueue(fault);
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await HandleAsync(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away; the test decides whether that matters.
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        Fault? fault;
        var range = context.Request.Headers["Range"];
        lock (_gate)
        {
            RangeHeaders.Add(range);
            _faults.TryDequeue(out fault);
        }

        var response = context.Response;
        if (context.Request.Url?.AbsolutePath != ImagePath)
        {
            response.StatusCode = 404;
            response.Close();
            return;
        }

        if (fault is Status status)
        {
            response.StatusCode = status.Code;
            response.Close();
            return;
        }

        long from = 0;
        if (range is not null && fault is not IgnoreRange)
        {
            from = long.Parse(range["bytes=".Length..range.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            if (from >= Image.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{Image.Length}";
                response.Close();
                return;
            }

            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{Image.Length - 1}/{Image.Length}";
        }

        response.Headers["Accept-Ranges"] = "bytes";
        response.ContentLength64 = Image.Length - from;
        if (fault is DropAfter drop)
        {
            await response.OutputStream.WriteAsync(Image.AsMemory((int)from, Math.Min(drop.Bytes, Image.Length - (int)from)));
            await response.OutputStream.FlushAsync();
            response.Abort();
            return;
        }

        await response.OutputStream.WriteAsync(Image.AsMemory((int)from));
        response.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
