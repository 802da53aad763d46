using Microsoft.AspNetCore.Antiforgery;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>
/// State-changing API calls take JSON or no body: the content types a plain HTML form or a no-CORS fetch can send
/// (form, multipart, text/plain, anything not JSON) are refused, except on the page's antiforgery-checked forms.
/// </summary>
internal sealed class ApiContentTypeFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || string.IsNullOrEmpty(request.ContentType)
            || http.GetEndpoint()?.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: true } || request.HasJsonContentType())
        {
            return next(context);
        }

        return ValueTask.FromResult<object?>(Results.Json(new Dictionary<string, string> { ["error"] = $"Content-Type '{request.ContentType}' refused: send application/json (or no body)" },
            statusCode: StatusCodes.Status415UnsupportedMediaType));
    }
}
