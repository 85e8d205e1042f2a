#!/usr/bin/env bash
# A documented, reproducible measurement (needs github.com; CI has no network beyond the package
# registries, so CI does not run it): fetch real open-source DRF projects at pinned commits, install
# the stack they need on Django 5.2 / DRF 3.18 and the drfgate wheel, and run the exporter on each
# (python/corpus/export_project.py): per project, how many views were exported, how many left to
# the origin and why, and which permission classes were translated (each translation proved).
# Their permission modules then join the translation corpus (translate_corpus.py --extra).
# Their code is never copied into this repository.
#
# Last measured (2026-11-29, DRFGATE_MIRRORS=/work/.mirror): rest-framework-tutorial 5 views, 5
# exported; restapiswithdjango-ch10 14/14; django-styleguide-example 20/20;
# django-realworld-example-app does not load on Django 5.2 (its conduit/urls.py:16 imports
# django.conf.urls.url, removed in Django 4.0); blog-stack-backend 7/7 (2 classes translated and
# proved; throttle warnings); swapskill 12/12; none left to the origin. Then
#   translate: 41 classes, 22 translated, 22 proved, 19 left to origin
# 2026-11-30 (export_project.py now also runs the whole export): DRFTotal 7 views, 6 exported
# (UserProfile.get_object() left); rest_api_demo 15 views, 11 exported (two get_queryset() without
# a condition, two views of untranslatable classes: datetime.now(), request.headers); book_store
# 3/3 view by view, 1 export problem (`obj.author == request.user`, author a FK to Author);
# blog-stack-backend 7/7 and 1 export problem (WhiteNoiseMiddleware: DRFGATE_TRANSPARENT_MIDDLEWARE).
# manage.py drfgate_check on each (by hand: own settings module adding drfgate, sqlite, a few rows;
# CHANGELOG has the counts): 0 disagreements once the problems are left to the origin.
# 2026-11-30, second pass (drfgate_check by hand as above; the views left named with --leave-to-origin):
# api_yamdb 9 views, 5 exported (LANGUAGE_CODE set to English: ru-RU leaves all; get_permissions()
# reading request.path x2, get_queryset() of two nested viewsets), 847 requests; storefront-django
# 15 views, 13 exported (a get_permissions() by request.method giving PUT other classes than the
# policy can; djoser's UserViewSet.permission_denied()), DebugToolbarMiddleware listed as
# transparent, 1,386 requests (stopped before: a KeyError in the project, then an API root the core
# refused; its JWT header type `JWT` left every JWT request unauthenticated); DRF_cfe_course 8 views, 4 exported (a DjangoModelPermissions subclass calling super()),
# 735 requests (196 with its Bearer token; none authenticated before); softdesk 12 views, 6 exported
# (isinstance() in IsContributor, request.data, `obj == request.user`, djoser), 252 requests (84
# before: no user could be generated). 0 disagreements on each.
# 2026-12-01, third pass (drfgate_check by hand, own settings module importing the project's and
# adding drfgate + sqlite; Django 4.0's removed aliases force_text/smart_text/ugettext*/conf.urls.url
# set back in that module for the two older projects, which otherwise do not boot on Django 5.2):
# nomad-back 12 views, 8 exported (drf_yasg's swagger views x2; two views' own `allowed_methods`),
# LANGUAGE_CODE English and LocaleMiddleware listed transparent for the run (it is not, for
# Accept-Language: fr), 616 requests (session; Basic NOT COVERED: no passwords), 0 disagreements
# (540 of 1,232 before `allowed_methods` was a problem; generated users failed its full_clean());
# toptechschool 21 views, 20 exported (swagger), 3,340 requests (1,980 by knox), 0 disagreements
# (1,870 before: 5 views NOT COVERED, its profile get_object() refused); phub-backend 22 views, 19 exported
# (3 user-filtering get_queryset() without drfgate_queryset, left; their shadowed API roots now
# left too), 1,260 requests (simplejwt), 0 disagreements (145 of 1,435 before).
# 2026-12-01, fourth pass (`pyreal4`; drfgate_check by hand, own settings module importing the
# project's + drfgate + sqlite, a few rows; "before" is main 8a7d8f2's python/ on the same data):
# rest_api_demo 15 views, 8 exported (4 refused as before; the three LongRunning views, whose
# handlers sleep 180-360 s, named in --leave-to-origin for the run), 2,646 -> 3,675 requests
# (Basic, first in its DEFAULT_AUTHENTICATION_CLASSES, was NOT COVERED: now 665 requests authenticated
# by it, 266 refused 401; 2,394 authenticated in all; 1,134 with an object looked up and a user),
# 0 disagreements before and after; storefront-django (drf-nested-routers; DebugToolbarMiddleware
# listed transparent, orders and djoser's user left as before) 3,901 requests, 324 disagreements
# -> 3,824, 108: the nested reviews had no model (`Not found.` where DRF says `No Review matches
# the given query.`, fixed); the 108 left are cart-items, whose get_queryset() filters by a UUID
# parent kwarg: `/store/carts/1/items/1/` is DRF's 500 (a ValidationError in get_queryset()), the
# edge's 404 (NOT fixed: the edge must forward such a lookup). No guardian project found in
# 10 minutes: DjangoObjectPermissions + guardian is measured on the sample blog (python/tests).
# Fifth pass (`pyreal4`, same data): the exporter writes {cart_pk:uuid} (and {product_pk:int} for
# reviews/images), drfgate_check expects DRF's 500 there and counts URLs no route matches as the
# origin's; cart items' model asked with a UUID too (store.CartItem): storefront 3,824 -> 3,978
# requests (cart items now from their rows), 108 -> 0 disagreements.
# 2026-12-01, sixth pass (`pyreal6`, filter_backends narrowed to filterParams; exports by hand as
# above, "before" main 8343b2d's python/): phub-backend (DEFAULT_FILTER_BACKENDS DjangoFilterBackend
# + OrderingFilter, no filterset on any view) 22 views, 19 exported before and after, the same policy
# byte for byte: its three views with object permissions (snippet, comments, djoser's customuser)
# lose the filter_backends problem but keep their undeclared get_queryset() filters (and djoser's
# permission_denied()), so stay left. rest_api_demo at its pin sets no filter_backends (the fourth
# pass's note was wrong); blog-stack-backend's filtered viewsets are throttled (the rule never
# applied). No corpus view changed; the narrowing is measured on the sample blog (python/tests).
# 2026-12-01, seventh pass (`pyreal7`; drfgate_check by hand, own settings module importing the
# project's + drfgate + sqlite, django_seed dropped from INSTALLED_APPS; 3 users, 3 rooms):
# airbnb_app_backend, a custom `JWTAuthentication(BaseAuthentication)` first (no authenticate_header:
# DRF's 403), 4 views, 3 exported (users:user left: IsSelf compares the object itself), 462
# requests: 84 skipped before (the class `return`s its AuthenticationFailed, DRF's 500 for every
# token and JWT request; the check failed), now the origin's; 378 compared, 0 disagreements. Its
# JWT class NOT COVERED (its tokens are its own). Then `obj == request.user` translated: 4 of 4
# exported, 1,008 requests, 0 disagreements, 224 the origin's. No guardian project found.
# 2026-12-02, eighth pass (`pyreal8`; drfgate_check by hand: own settings module importing the
# project's + drfgate + sqlite, every model filled with 3 rows of required fields): the three
# earlier projects again on main 495cf37's exporter (`obj == request.user` translated, filterParams):
# book_store 3 views, 3 exported view by view, 1 export problem as before (`obj.author ==
# request.user`, author a FK to Author: Django's == is always False there), 672 requests with books
# left (630 before, other rows), 0 disagreements; softdesk 12 views, 6 exported as before, but
# IsSelf (`obj == request.user or (hasattr(obj, 'user') and ...)`) now stops at hasattr(), not at
# `obj == request.user`; 357 requests (252 before: 5 more rows), 0 disagreements; airbnb_app_backend
# 4/4, 1,008 requests, 224 the origin's, 0 disagreements (unchanged since `pyreal7`). Two new:
# CMS-backend (a production app; Basic + Token + its own Azure AD JWT class, IsAdminUser default,
# `ReadOnly | IsOrganizer` compositions, @api_view PDF views) 61 views, 53 exported view by view
# (8 left: hasattr(request.user, 'school'), view.queryset.model in ParticipantAccess), and 1 export
# problem now found: its AppConfig.ready() replaces APIView.initialize_request with code reading
# request.user outside DRF's exception handling, so every failed authentication (a wrong token, a
# wrong password, an inactive user) is Django's 500 where the edge says 401. drfgate_check had
# skipped those (3,535 of 12,019, the check failed); with the patch undone for the run (a settings
# module of the measurement only) 12,019 requests, 0 disagreements; its CurrentUserMiddleware listed
# transparent (it keeps the user for signals). Its pdfs/badges.py queries the database at import:
# export_project.py (an empty :memory: database) reports "the URLconf does not load" there.
# drf_app (simplejwt, a DjangoModelPermissions subclass whose class body assigns into DRF's own
# perms_map) 5 views: refused as a whole before ("changed while the project ran"), now 5 exported
# (the changed map declared as the class's permsMap), 1,001 requests, 0 disagreements.
# 2026-12-02, ninth pass (`pyreal9`; drfgate_check by hand as above, every model of the project's
# apps filled with 3 rows, users alice/bob/carol): hasattr(obj, 'x') and comparisons with the user
# that Django's == makes always False decided per view model (`<Class>_on<Model>`). book_store 3/3
# with no export problem (books: `request.method in SAFE_METHODS or request.user.is_staff`, the
# author comparison False), 1,232 requests; softdesk 6 of 12 as before (IsSelf now decided on User
# and Contributor; the views stay left for IsContributor), 420 requests. Two new: sharestyle
# (Danil-Lv, token/JWT/Basic/session, djoser; LANGUAGE_CODE English for the run: ru leaves all) 13
# views, 10 exported (8 before: its IsOwnerOrReadOnly's `hasattr(obj, 'author')` on Style and User;
# djoser's users and two swagger views left), 4,200 requests; backend-gypark (42seoul-gifty,
# simplejwt, dj-rest-auth 2.2 with allauth 0.51, not in the list below: its settings read
# .secrets/common.json and debug.json, written by hand for the run; "allauth" added to
# INSTALLED_APPS, LANGUAGE_CODE English and DRF's JSON renderer for the run, its wrapping
# DefaultJSONRenderer leaves all; `makemigrations` for its apps, whose migrations are not
# committed) 18 views, 9 exported (8 before: users/<pk> with OwnerPermission's hasattr), 2,352
# requests (28 disagreements before drfgate_check counted a handler's own 405, dj-rest-auth's
# LogoutView.get, as "no handler"); notes-store (HexaLopata, session) 8 views, 4 exported (3 before:
# its notes detail view, IsOwner's `hasattr(obj, 'author') and obj.author.pk == request.user.pk`;
# 4 views with a dispatch() of their own left), 539 requests. 0 disagreements on each.
#
#   bash python/corpus/projects.sh WHEEL [WORKDIR]
#
# A project is cloned from $DRFGATE_MIRRORS/<owner>+<name>/repo when that exists (a local mirror
# of the repository, e.g. /work/.mirror), else from GitHub.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
wheel="$1"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
# name | git URL | commit | project dir inside | settings module | extra pip packages | env (optional)
projects=(
  "rest-framework-tutorial|https://github.com/encode/rest-framework-tutorial|efce73a9ccd9430616884a0910affc0dc4a6497c|.|tutorial.settings|pygments dj-database-url whitenoise drf-spectacular"
  "restapiswithdjango-ch10|https://github.com/wsvincent/restapiswithdjango|4a12e5289beeb00308f2d8ceefa343666fa11c05|ch10-blog-schemas-docs|django_project.settings|django-cors-headers dj-rest-auth django-allauth<0.56 drf-spectacular"
  "django-styleguide-example|https://github.com/HackSoftware/Django-Styleguide-Example|a70ef43d7df03706c1211d4fcfd70b4b0120ba1e|.|config.django.base|-r requirements/base.txt"
  "django-realworld-example-app|https://github.com/gothinkster/django-realworld-example-app|29c9d42831fa0cfc5a4aa7561f674396eacf20a2|.|conduit.settings|django-cors-headers django-extensions"
  # MIT; viewsets with two custom object-permission classes, TokenAuthentication, throttles.
  "blog-stack-backend|https://github.com/bitsbuild/blog-stack-backend|eede97e5e21a9eff89cbca6ef7b30948e82f21d7|blog|blog.settings|django-filter python-dotenv whitenoise|DSK=corpus-secret-key"
  # No licence file: measured from its pinned commit only, never copied. Viewsets, simplejwt.
  "swapskill|https://github.com/gsishir1104/swapskill1|e99fb8635b5a22a58fa92b030a2622fef4dfddd4|backend|swapskill.settings|django-cors-headers python-dotenv djangorestframework-simplejwt"
  # No licence files: measured from their pinned commits only, never copied. Token auth and custom
  # object permissions; rest_api_demo also Basic, simplejwt, groups, headers; book_store sessions.
  "DRFTotal|https://github.com/AikanyshM/DRFTotal|ae83b794b4d8b72f5c345136d54e13b72d91ac5a|.|drf_project.settings|"
  "rest_api_demo|https://github.com/devbear90/rest_api_demo|6f50231d8c2875610c7c04fd49c6d54727922c9e|bigdata_api|bigdata_api.settings|djangorestframework-simplejwt django-filter"
  "book_store|https://github.com/ananotopuria/book_store|370c87398526b971f840d967818fbf07c866c476|.|book_store.settings|django-filter celery"
  # No licence files (api_yamdb, storefront-django): measured from their pinned commits only, never
  # copied. api_yamdb: nested routers with `\d+` kwargs, role properties, a get_permissions() reading
  # request.path, ru-RU (every view left unless LANGUAGE_CODE is English); storefront: drf-nested-routers,
  # djoser, @action(permission_classes=...), a get_permissions() by request.method, debug toolbar.
  "api_yamdb|https://github.com/mishatunikov/api_yamdb|d28516d30cb27673b9b8c36a27930e38c5513405|api_yamdb|api_yamdb.settings|django-filter djangorestframework-simplejwt"
  "storefront-django|https://github.com/derawall1/storefront-django|c41f2d67d094be739353860484aca5507c113d38|.|storefront.settings|django-filter drf-nested-routers djoser djangorestframework-simplejwt django-cors-headers django-debug-toolbar celery pillow"
  # No licence file: measured from its pinned commit only. A popular course's shape: a
  # DjangoModelPermissions subclass calling super().has_permission(), a `Bearer` TokenAuthentication.
  "DRF_cfe_course|https://github.com/dusnazarov/DRF_cfe_course|c20c2cdf6e60bc98fab3746499aaa26da6e4f188|crud_6_Djangol_based_search/backend|config.settings|"
  # CC0: OpenClassrooms' SoftDesk (projects/issues/comments, contributors, djoser, simplejwt).
  "softdesk|https://github.com/HDanDev/SoftDesk|4724e8392b100b294eca896974e26387cb44ab10|softdesk|softdesk.settings|djoser djangorestframework-simplejwt"
  # No licence files: measured from their pinned commits only, never copied. nomad-back: session +
  # Basic, "me" views filtering by request.user, `allowed_methods` of its own (its data/zipcodes.json
  # is absent from the repository: write `[]`); toptechschool: knox, plain views with URL kwargs
  # (both need Django 4.0's removed aliases, see above); phub-backend: simplejwt, djoser, viewsets at r''.
  "nomad-back|https://github.com/patrice-boulanger/nomad-back|9eae1490faafb5696ba8cc2597b02213a0f49f9d|nomad|nomad.settings.dev|drf-yasg django-cors-headers django-tinymce4-lite django-renderpdf"
  "toptechschool-backend|https://github.com/toptechschool/backend|f42611e2c8c04567fdd8870e00b0ea201b382633|.|config.settings|django-cors-headers django-rest-knox django-filter django-taggit django-summernote django-resized pillow drf-yasg django-storages|SECRET_KEY=corpus ALLOWED_HOSTS=testserver CORS_ALLOWED_ORIGINS=http://localhost PRODUCTION=False DEBUG="
  "phub-backend|https://github.com/jisan-mahmud/phub-backend|9d6287ff53fac870638d834b82c4191207f4d14c|.|phub_backend.settings.development|djoser djangorestframework-simplejwt django-filter django-cors-headers django-debug-toolbar django-extensions pygments"
  # No licence file: measured from its pinned commit only. A popular course's airbnb API: a custom
  # JWTAuthentication(BaseAuthentication) first, then Session; get_permissions() by action.
  "airbnb_app_backend|https://github.com/iheehee/airbnb_app_backend|6ae874c48b96686b2e4dccba08f8a2a3df364381|.|config.settings|django-seed pyjwt pillow"
  # PolyForm Noncommercial: measured from its pinned commit only, never copied. A production app
  # (model-united-nations-of-luebeck): Basic, Token and its own Azure AD JWT class, compositions,
  # a patched APIView.initialize_request (an export problem).
  "cms-backend|https://github.com/model-united-nations-of-luebeck/CMS-backend|045c5d0abcc34ec40c3917970106d69679078b9d|.|cms.settings|python-dotenv django-extensions django-phonenumber-field phonenumbers django-multiselectfield drf_base64 drfpasswordless reportlab pyjwt cryptography django-cors-headers python-dateutil Faker|SECRET_KEY=corpus-secret-key"
  # No licence file: measured from its pinned commit only. simplejwt; DRF's perms_map changed at import.
  "drf_app|https://github.com/oneavk/drf_app|0b9c46edb9def8ea7f247504beceae62b068a814|.|drf_app.settings|django-environ djangorestframework-simplejwt|SECRET_KEY=corpus-secret-key"
  # No licence file: measured from its pinned commit only. An owner class with hasattr(obj, 'author')
  # on a view of styles and one of users; ru-RU (every view left unless LANGUAGE_CODE is English).
  "sharestyle|https://github.com/Danil-Lv/sharestyle|73de278f44302c9b9279551eb08121192587d617|.|djangoProject.settings|djoser drf-yasg django-filter djangorestframework-simplejwt python-dotenv transliterate pillow"
  # No licence file: measured from its pinned commit only. Session auth, `hasattr(obj, 'author') and
  # obj.author.pk == request.user.pk` on a plain GenericAPIView of notes.
  "notes-store|https://github.com/HexaLopata/Notes-Store|806aff9af5adba1a18260b19442a6abaa47336f6|Notes-Store|notes_store.settings|django-environ|DATABASE_URL=sqlite:///:memory:"
)
python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check "$wheel" -r "$here/requirements.txt"
extras=()
for entry in "${projects[@]}"; do
  IFS='|' read -r name url commit sub settings packages env <<<"$entry"
  dir="$work/$name"
  slug="${url#https://github.com/}"
  mirror="${DRFGATE_MIRRORS:-}/${slug/\//+}/repo"
  if [ ! -d "$dir/.git" ]; then
    if [ -n "${DRFGATE_MIRRORS:-}" ] && [ -d "$mirror" ]; then git clone --quiet "$mirror" "$dir"; else git clone --quiet "$url" "$dir"; fi
  fi
  git -C "$dir" checkout --quiet "$commit"
  args=()
  for word in $packages; do
    if [ "$word" = "-r" ]; then continue; fi
    if [ -f "$dir/$word" ]; then
      # The project's own requirements, without the PostgreSQL driver (no server here: sqlite).
      grep -viE '^(psycopg|django==|djangorestframework==)' "$dir/$word" >"$work/$name-requirements.txt"
      args+=(-r "$work/$name-requirements.txt")
    else
      args+=("$word")
    fi
  done
  "$py" -m pip install --quiet --disable-pip-version-check "${args[@]}" \
    "Django==5.2.19" "djangorestframework==3.18.3" || echo "($name: some packages did not install)"
  # shellcheck disable=SC2086 # env: NAME=value words the project's settings read
  env ${env:-} "$py" "$here/export_project.py" "$dir/$sub" "$settings" --label "$name" || true
  extras+=(--extra "$dir")
done
"$py" "$here/translate_corpus.py" "${extras[@]}"
