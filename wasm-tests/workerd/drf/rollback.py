from django.db import transaction


class RollbackMiddleware:
    """Runs the whole request (response rendered) in a transaction that is always rolled back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with transaction.atomic():
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            transaction.set_rollback(True)
        return response
