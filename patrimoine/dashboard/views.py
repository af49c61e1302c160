from django.shortcuts import render


def home(request):
    """The role's home page: what this user acts on first."""
    return render(request, "dashboard/home.html", {})
