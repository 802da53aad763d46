namespace SmartCity.IoT.Gateway.Status.Pages;

/// <summary>The sign-in form: name and password, posted with an antiforgery token, coming back to the page that asked.</summary>
internal static class LoginPage
{
    public static string Render(PageRequest request, string returnUrl, string? error)
    {
        var h = PageLayout.Begin("Sign in", "/login", request);
        h.Append("<h1>Sign in</h1>");
        if (error is not null)
        {
            h.Append("<p role=\"alert\" class=\"notice error\">").Append(Html.E(error)).Append("</p>");
        }

        h.Append("<form method=\"post\" action=\"/login\" class=\"login-form\">").Antiforgery(request)
            .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(Html.E(returnUrl)).Append("\">")
            .Append("<p><label>User <input name=\"user\" required autocomplete=\"username\"></label></p>")
            .Append("<p><label>Password <input name=\"password\" type=\"password\" required autocomplete=\"current-password\"></label></p>")
            .Append("<p><button type=\"submit\">Sign in</button></p></form>");
        return PageLayout.End(h);
    }
}
