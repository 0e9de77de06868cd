; Sổ theo dõi — the Windows installer (NSIS 3, Unicode, in Vietnamese).
;
;   makensis -DVERSION=0.2.0 -DSOURCE_DIR=dist\SoTheoDoi -DOUTFILE=dist\SoTheoDoi-Setup-0.2.0.exe ^
;            packaging\windows\installer.nsi
;
; Per user, no administrator rights: the program goes to %LOCALAPPDATA%\Programs\SoTheoDoi. The
; register, its key file, the backups and the log live elsewhere (%LOCALAPPDATA%\SoTheoDoi, the
; window settings in HKCU\Software\SoTheoDoi): neither installing a newer version over an older
; one nor uninstalling touches them. Only the files this installer wrote are removed, never a
; folder as a whole, so a register someone kept inside the program's folder survives too.
; Requires Windows 10 1809 (build 17763) or later, 64-bit: what Qt 6 and `cryptography` need.

Unicode true
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "Give the version: makensis -DVERSION=x.y.z (packaging/ci.sh and the workflow do)"
!endif
!ifndef SOURCE_DIR
  !define SOURCE_DIR "..\..\dist\SoTheoDoi"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\SoTheoDoi-Setup-${VERSION}.exe"
!endif

!define APP_NAME "Sổ theo dõi"
!define APP_ID "SoTheoDoi"
!define WINDOW_EXE "SoTheoDoi.exe"
!define CLI_EXE "sotheodoi-cli.exe"
!define PUBLISHER "Sổ theo dõi — công an xã"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define BUNDLE_EXT ".sotd"
!define BUNDLE_TYPE "SoTheoDoi.GoiBanGiao"
; The register's folder (platformdirs' user_data_dir("SoTheoDoi")): never written here.
!define DATA_DIR "$LOCALAPPDATA\${APP_ID}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_ID}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1066 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=1066 "FileDescription" "Cài đặt ${APP_NAME}"
VIAddVersionKey /LANG=1066 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1066 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1066 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1066 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "..\icons\sotheodoi.ico"
!define MUI_UNICON "..\icons\sotheodoi.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${WINDOW_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Mở ${APP_NAME} ngay"
!define MUI_WELCOMEPAGE_TEXT "Chương trình sẽ cài ${APP_NAME} ${VERSION} cho tài khoản Windows này \
  (không cần quyền quản trị).$\r$\n$\r$\nNếu máy đã có bản cũ, sổ, mật khẩu, bản sao lưu và cài \
  đặt được giữ nguyên; sổ được cập nhật khi mở lần đầu.$\r$\n$\r$\nHãy đóng ${APP_NAME} nếu đang \
  mở, rồi bấm Tiếp."

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Vietnamese"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP|MB_OK "${APP_NAME} cần Windows 10 (bản 1809 trở lên) hoặc Windows 11 \
      loại 64-bit. Máy này chạy Windows 32-bit nên không cài được.$\r$\n$\r$\nHãy dùng một máy \
      Windows 64-bit hoặc hỏi cán bộ kỹ thuật của công an tỉnh." /SD IDOK
    Abort
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
  ${OrIfNot} ${AtLeastBuild} 17763
    MessageBox MB_ICONSTOP|MB_OK "${APP_NAME} cần Windows 10 (bản 1809 trở lên) hoặc Windows 11, \
      loại 64-bit. Máy này chạy phiên bản Windows cũ hơn nên không cài được.$\r$\n$\r$\nHãy cập \
      nhật Windows hoặc hỏi cán bộ kỹ thuật của công an tỉnh." /SD IDOK
    Abort
  ${EndIf}
  SetShellVarContext current
  SetRegView 64
FunctionEnd

; The folder chosen must not be (or hold) the register's folder: the uninstaller would then
; have the register within its reach.
Function .onVerifyInstDir
  StrLen $1 "${DATA_DIR}"
  StrCpy $0 "$INSTDIR" $1
  ${If} $0 == "${DATA_DIR}"
    Abort
  ${EndIf}
FunctionEnd

; A running copy keeps its files locked (a running .exe can be renamed but not opened for
; writing): ask to close it before anything is removed, instead of failing halfway.
!macro MARK_IF_LOCKED FILE
  ${If} ${FileExists} "${FILE}"
    ClearErrors
    FileOpen $0 "${FILE}" a
    ${If} ${Errors}
      StrCpy $1 "locked"
    ${Else}
      FileClose $0
    ${EndIf}
  ${EndIf}
!macroend
!macro WAIT_UNTIL_CLOSED UN
Function ${UN}WaitUntilClosed
  check:
    StrCpy $1 ""
    !insertmacro MARK_IF_LOCKED "$INSTDIR\${WINDOW_EXE}"
    !insertmacro MARK_IF_LOCKED "$INSTDIR\${CLI_EXE}"
    StrCmp $1 "" done
    MessageBox MB_ICONEXCLAMATION|MB_RETRYCANCEL "${APP_NAME} đang mở. Hãy đóng chương trình \
      (lưu công việc đang làm), rồi bấm Thử lại." /SD IDCANCEL IDRETRY check
    Abort
  done:
FunctionEnd
!macroend
!insertmacro WAIT_UNTIL_CLOSED ""
!insertmacro WAIT_UNTIL_CLOSED "un."

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetShellVarContext current
  Call WaitUntilClosed
  ; An older version's program files go first (a module left behind could be loaded by the new
  ; one); the register and everything the officer made are not in this folder. _internal is
  ; removed only where our program is, never another program's folder of the same name.
  ${If} ${FileExists} "$INSTDIR\${WINDOW_EXE}"
    RMDir /r "$INSTDIR\_internal"
  ${EndIf}
  Delete "$INSTDIR\${WINDOW_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"

  SetOutPath "$INSTDIR"
  File /r "${SOURCE_DIR}\*.*"
  ; The installed program keeps its register in the user's folder, never beside itself.
  Delete "$INSTDIR\portable.txt"
  WriteUninstaller "$INSTDIR\Go cai dat.exe"

  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${WINDOW_EXE}" "" \
    "$INSTDIR\${WINDOW_EXE}" 0 SW_SHOWNORMAL "" "Sổ quản lý người sử dụng, nghiện ma túy"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\Gỡ cài đặt ${APP_NAME}.lnk" "$INSTDIR\Go cai dat.exe"
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${WINDOW_EXE}" "" "$INSTDIR\${WINDOW_EXE}" 0

  ; A handover bundle (.sotd) opens in the program (per user: HKCU\Software\Classes).
  WriteRegStr HKCU "Software\Classes\${BUNDLE_EXT}" "" "${BUNDLE_TYPE}"
  WriteRegStr HKCU "Software\Classes\${BUNDLE_TYPE}" "" "Gói dữ liệu bàn giao ${APP_NAME}"
  WriteRegStr HKCU "Software\Classes\${BUNDLE_TYPE}\DefaultIcon" "" "$INSTDIR\${WINDOW_EXE},0"
  WriteRegStr HKCU "Software\Classes\${BUNDLE_TYPE}\shell\open\command" "" \
    '"$INSTDIR\${WINDOW_EXE}" --bundle "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${WINDOW_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Go cai dat.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Go cai dat.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  SectionGetSize ${SecMain} $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Function un.onInit
  SetShellVarContext current
  SetRegView 64
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Call un.WaitUntilClosed
  ; The program's files only: _internal is all the build's own; the register, key file,
  ; backups, log and settings (in ${DATA_DIR} and HKCU\Software\SoTheoDoi) stay.
  ${If} ${FileExists} "$INSTDIR\${WINDOW_EXE}"
    RMDir /r "$INSTDIR\_internal"
  ${EndIf}
  Delete "$INSTDIR\${WINDOW_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\Go cai dat.exe"
  RMDir "$INSTDIR"  ; only if empty: whatever else is there was not ours

  Delete "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk"
  Delete "$SMPROGRAMS\${APP_NAME}\Gỡ cài đặt ${APP_NAME}.lnk"
  RMDir "$SMPROGRAMS\${APP_NAME}"
  Delete "$DESKTOP\${APP_NAME}.lnk"

  ; The .sotd association, if it is still ours.
  ReadRegStr $0 HKCU "Software\Classes\${BUNDLE_EXT}" ""
  ${If} $0 == "${BUNDLE_TYPE}"
    DeleteRegKey HKCU "Software\Classes\${BUNDLE_EXT}"
  ${EndIf}
  DeleteRegKey HKCU "Software\Classes\${BUNDLE_TYPE}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
  DeleteRegKey HKCU "${UNINSTALL_KEY}"

  ${If} ${FileExists} "${DATA_DIR}\*.*"
    MessageBox MB_ICONINFORMATION|MB_OK "Đã gỡ chương trình. Sổ, khóa, bản sao lưu và nhật ký \
      vẫn được giữ trong thư mục:$\r$\n${DATA_DIR}$\r$\n$\r$\nCài lại ${APP_NAME} là dùng tiếp \
      được. Chỉ xóa thư mục đó khi chắc chắn không còn cần sổ." /SD IDOK
  ${EndIf}
SectionEnd
